package org.tributary.cluster;

/**
 * A broker as the cluster knows it: stable id, the address Kafka clients should use
 * (the advertised PLAINTEXT listener), the HTTP port of its admin API, and its rack (may be null).
 */
public record BrokerInfo(int id, String host, int kafkaPort, int httpPort, String rack) {
}
