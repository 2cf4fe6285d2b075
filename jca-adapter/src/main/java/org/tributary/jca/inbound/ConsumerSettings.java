package org.tributary.jca.inbound;

import java.util.List;
import java.util.Map;

/**
 * The validated, resolved configuration of one message endpoint: what the activation spec said,
 * with defaults applied. Immutable.
 *
 * @param kafka the complete Kafka consumer configuration (bootstrap, group, offset reset, ...)
 * @param producerConfig configuration of the producer that writes dead letters
 */
public record ConsumerSettings(
        List<String> topics,
        String groupId,
        int maxSession,
        int maxDeliveryAttempts,
        long redeliveryBackoffMs,
        String deadLetterTopic,
        String messageSelector,
        MessageFormat messageFormat,
        long pollTimeoutMs,
        Map<String, String> kafka,
        Map<String, String> producerConfig) {

    /** How a record's value is presented to a {@code jakarta.jms.MessageListener}. */
    public enum MessageFormat { AUTO, TEXT, BYTES }

    /** The dead-letter topic for records of {@code topic}. */
    public String deadLetterTopicFor(String topic) {
        return deadLetterTopic == null || deadLetterTopic.isBlank() ? topic + ".DLT" : deadLetterTopic;
    }
}
