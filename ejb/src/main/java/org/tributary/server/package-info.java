/**
 * The facade the broker bean drives ({@link org.tributary.server.KafkaServer}) and the read-only
 * {@link org.tributary.server.BrokerView} for the admin API.
 */
package org.tributary.server;
