package org.tributary.ee;

/** A broker as the admin API shows it. */
public record BrokerView(int id, String host, int kafkaPort, int httpPort, String rack, boolean alive) {
}
