package org.tributary.jca.inbound;

import jakarta.jms.MessageListener;
import jakarta.resource.spi.Activation;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import java.beans.IntrospectionException;
import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tributary.jca.KafkaSettings;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.jms.selector.Selector;
import org.tributary.jca.jms.selector.SelectorException;

/**
 * How an MDB consumes: which topics, in which consumer group, how many consumers, and what happens
 * to a record its listener keeps failing on. Names follow Kafka where Kafka has one and JMS where
 * JMS users expect one ({@code destination}, {@code subscriptionName}, {@code maxSession},
 * {@code messageSelector}). {@code securityProperties} (Kafka's {@code security.protocol},
 * {@code ssl.*}, {@code sasl.*}) apply to the endpoint's consumers and its dead-letter producer.
 * {@link #validate()} reports every bad property in one exception.
 */
@Activation(messageListeners = {RecordListener.class, MessageListener.class})
public class TributaryActivationSpec implements ActivationSpec {
    private ResourceAdapter resourceAdapter;
    private String topics;
    private String destination;
    private String groupId;
    private String subscriptionName;
    private String bootstrapServers;
    private String autoOffsetReset = "earliest";
    private String maxPollRecords = "500";
    private String maxSession = "1";
    private String isolationLevel = "read_uncommitted";
    private String maxDeliveryAttempts = "5";
    private String redeliveryBackoffMs = "1000";
    private String deadLetterTopic;
    private String messageSelector;
    private String messageFormat = "auto";
    private String pollTimeoutMs = "500";
    private String consumerProperties;
    private String producerProperties;
    private String securityProperties;
    private String clientId;
    private String destinationType;
    private String acknowledgeMode;
    private String subscriptionDurability;

    // --- properties --------------------------------------------------------------------------

    public String getTopics() { return topics; }
    public void setTopics(String v) { topics = v; }
    /** JMS alias of {@code topics}. */
    public String getDestination() { return destination; }
    public void setDestination(String v) { destination = v; }
    public String getGroupId() { return groupId; }
    public void setGroupId(String v) { groupId = v; }
    /** JMS alias of {@code groupId}. */
    public String getSubscriptionName() { return subscriptionName; }
    public void setSubscriptionName(String v) { subscriptionName = v; }
    public String getBootstrapServers() { return bootstrapServers; }
    public void setBootstrapServers(String v) { bootstrapServers = v; }
    public String getAutoOffsetReset() { return autoOffsetReset; }
    public void setAutoOffsetReset(String v) { autoOffsetReset = v; }
    public String getMaxPollRecords() { return maxPollRecords; }
    public void setMaxPollRecords(String v) { maxPollRecords = v; }
    public String getMaxSession() { return maxSession; }
    public void setMaxSession(String v) { maxSession = v; }
    public String getIsolationLevel() { return isolationLevel; }
    public void setIsolationLevel(String v) { isolationLevel = v; }
    public String getMaxDeliveryAttempts() { return maxDeliveryAttempts; }
    public void setMaxDeliveryAttempts(String v) { maxDeliveryAttempts = v; }
    public String getRedeliveryBackoffMs() { return redeliveryBackoffMs; }
    public void setRedeliveryBackoffMs(String v) { redeliveryBackoffMs = v; }
    public String getDeadLetterTopic() { return deadLetterTopic; }
    public void setDeadLetterTopic(String v) { deadLetterTopic = v; }
    public String getMessageSelector() { return messageSelector; }
    public void setMessageSelector(String v) { messageSelector = v; }
    /** {@code auto} (text when the value is UTF-8, else bytes), {@code text} or {@code bytes}. */
    public String getMessageFormat() { return messageFormat; }
    public void setMessageFormat(String v) { messageFormat = v; }
    public String getPollTimeoutMs() { return pollTimeoutMs; }
    public void setPollTimeoutMs(String v) { pollTimeoutMs = v; }
    /** Any Kafka consumer property, {@code name=value} pairs separated by ';'. */
    public String getConsumerProperties() { return consumerProperties; }
    public void setConsumerProperties(String v) { consumerProperties = v; }
    /** Kafka producer properties for the dead-letter writer, {@code name=value;...}. */
    public String getProducerProperties() { return producerProperties; }
    public void setProducerProperties(String v) { producerProperties = v; }
    public String getSecurityProperties() { return securityProperties; }
    public void setSecurityProperties(String v) { securityProperties = v; }
    public String getClientId() { return clientId; }
    public void setClientId(String v) { clientId = v; }
    /** Only {@code jakarta.jms.Topic} is meaningful; queues' exclusive semantics are not offered. */
    public String getDestinationType() { return destinationType; }
    public void setDestinationType(String v) { destinationType = v; }

    /** JMS habit: {@code Auto-acknowledge} or {@code Dups-ok-acknowledge}; both mean commit after onMessage returns. */
    public String getAcknowledgeMode() { return acknowledgeMode; }
    public void setAcknowledgeMode(String v) { acknowledgeMode = v; }
    /** JMS habit: a consumer group's offsets are always kept, so {@code Durable} is what you get. */
    public String getSubscriptionDurability() { return subscriptionDurability; }
    public void setSubscriptionDurability(String v) { subscriptionDurability = v; }

    @Override
    public ResourceAdapter getResourceAdapter() { return resourceAdapter; }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) { resourceAdapter = ra; }

    // --- validation --------------------------------------------------------------------------

    @Override
    public void validate() throws InvalidPropertyException {
        List<String> problems = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        check(problems, bad, "topics", topicList().isEmpty() ? "no topic: set 'topics' (or its JMS alias 'destination')" : null);
        if (topics != null && destination != null && !topicList(topics).equals(topicList(destination))) {
            check(problems, bad, "destination", "'topics' and its alias 'destination' disagree: " + topics + " / " + destination);
        }
        check(problems, bad, "groupId", group() == null ? "no consumer group: set 'groupId' (or its JMS alias 'subscriptionName')" : null);
        if (groupId != null && subscriptionName != null && !groupId.trim().equals(subscriptionName.trim())) {
            check(problems, bad, "subscriptionName", "'groupId' and its alias 'subscriptionName' disagree: " + groupId + " / " + subscriptionName);
        }
        check(problems, bad, "autoOffsetReset", oneOf(autoOffsetReset, "autoOffsetReset", "earliest", "latest", "none"));
        check(problems, bad, "isolationLevel", oneOf(isolationLevel, "isolationLevel", "read_uncommitted", "read_committed"));
        check(problems, bad, "messageFormat", oneOf(messageFormat, "messageFormat", "auto", "text", "bytes"));
        check(problems, bad, "maxPollRecords", range(maxPollRecords, "maxPollRecords", 1, 100_000));
        check(problems, bad, "maxSession", range(maxSession, "maxSession", 1, 1_000));
        check(problems, bad, "maxDeliveryAttempts", range(maxDeliveryAttempts, "maxDeliveryAttempts", 1, 1_000_000));
        check(problems, bad, "redeliveryBackoffMs", range(redeliveryBackoffMs, "redeliveryBackoffMs", 0, 3_600_000));
        check(problems, bad, "pollTimeoutMs", range(pollTimeoutMs, "pollTimeoutMs", 1, 60_000));
        if (bootstrapServers != null && bootstrapServers.isBlank()) {
            check(problems, bad, "bootstrapServers", "'bootstrapServers' is empty");
        }
        if (deadLetterTopic != null && topicList().contains(deadLetterTopic.trim())) {
            check(problems, bad, "deadLetterTopic", "'deadLetterTopic' " + deadLetterTopic + " is one of the consumed topics");
        }
        if (destinationType != null && !destinationType.isBlank() && !destinationType.trim().equals("jakarta.jms.Topic")) {
            check(problems, bad, "destinationType", "'destinationType' " + destinationType
                    + " is not supported: Tributary offers topics only (no queue semantics); use jakarta.jms.Topic");
        }
        if (acknowledgeMode != null && !acknowledgeMode.isBlank()
                && !List.of("auto-acknowledge", "dups-ok-acknowledge").contains(acknowledgeMode.trim().toLowerCase(Locale.ROOT))) {
            check(problems, bad, "acknowledgeMode", "'acknowledgeMode' " + acknowledgeMode
                    + " is not supported: records are acknowledged (committed) when the listener returns; use Auto-acknowledge");
        }
        if (subscriptionDurability != null && !subscriptionDurability.isBlank()
                && !subscriptionDurability.trim().equalsIgnoreCase("Durable")) {
            check(problems, bad, "subscriptionDurability", "'subscriptionDurability' " + subscriptionDurability
                    + " is not supported: a consumer group's committed offsets are always durable; use Durable");
        }
        if (messageSelector != null && !messageSelector.isBlank()) {
            try {
                Selector.parse(messageSelector);
            } catch (SelectorException e) {
                check(problems, bad, "messageSelector", "'messageSelector' is invalid: " + e.getMessage());
            }
        }
        check(problems, bad, "consumerProperties", settings("consumerProperties", consumerProperties));
        check(problems, bad, "producerProperties", settings("producerProperties", producerProperties));
        try {
            KafkaSettings.security(securityProperties);
        } catch (IllegalArgumentException e) {
            check(problems, bad, "securityProperties", "'securityProperties' is invalid: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            InvalidPropertyException e = new InvalidPropertyException(
                    "Tributary activation spec has " + problems.size() + " invalid propert"
                    + (problems.size() == 1 ? "y" : "ies") + ": " + String.join("; ", problems));
            e.setInvalidPropertyDescriptors(descriptors(bad));
            throw e;
        }
    }

    /** The resolved settings; call after {@link #validate()}. */
    public ConsumerSettings settings(String defaultBootstrapServers) {
        String bootstrap = bootstrapServers == null || bootstrapServers.isBlank() ? defaultBootstrapServers : bootstrapServers.trim();
        Map<String, String> kafka = new LinkedHashMap<>();
        kafka.put("bootstrap.servers", bootstrap);
        kafka.put("group.id", group());
        kafka.put("auto.offset.reset", autoOffsetReset.trim().toLowerCase(Locale.ROOT));
        kafka.put("max.poll.records", maxPollRecords.trim());
        kafka.put("isolation.level", isolationLevel.trim().toLowerCase(Locale.ROOT));
        if (clientId != null && !clientId.isBlank()) {
            kafka.put("client.id", clientId.trim());
        }
        kafka.putAll(KafkaSettings.parse(consumerProperties));
        Map<String, String> security = KafkaSettings.security(securityProperties);
        kafka.putAll(security);
        kafka.put("enable.auto.commit", "false"); // the adapter commits, only after delivery
        Map<String, String> producer = new LinkedHashMap<>();
        producer.put("bootstrap.servers", kafka.get("bootstrap.servers"));
        producer.put("acks", "all");
        producer.putAll(KafkaSettings.parse(producerProperties));
        producer.putAll(security);
        return new ConsumerSettings(topicList(), group(), Integer.parseInt(maxSession.trim()),
                Integer.parseInt(maxDeliveryAttempts.trim()), Long.parseLong(redeliveryBackoffMs.trim()),
                deadLetterTopic == null || deadLetterTopic.isBlank() ? null : deadLetterTopic.trim(),
                messageSelector == null || messageSelector.isBlank() ? null : messageSelector,
                ConsumerSettings.MessageFormat.valueOf(messageFormat.trim().toUpperCase(Locale.ROOT)),
                Long.parseLong(pollTimeoutMs.trim()), Map.copyOf(kafka), Map.copyOf(producer));
    }

    private List<String> topicList() {
        return topicList(topics != null ? topics : destination);
    }

    private static List<String> topicList(String s) {
        if (s == null) {
            return List.of();
        }
        return Arrays.stream(s.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    private String group() {
        String g = groupId != null && !groupId.isBlank() ? groupId : subscriptionName;
        return g == null || g.isBlank() ? null : g.trim();
    }

    private static void check(List<String> problems, List<String> bad, String property, String problem) {
        if (problem != null) {
            problems.add(problem);
            bad.add(property);
        }
    }

    private static String oneOf(String value, String name, String... allowed) {
        if (value != null && Arrays.asList(allowed).contains(value.trim().toLowerCase(Locale.ROOT))) {
            return null;
        }
        return "'" + name + "' is " + value + ", expected one of " + String.join(", ", allowed);
    }

    private static String range(String value, String name, long min, long max) {
        try {
            long v = Long.parseLong(value == null ? "" : value.trim());
            return v < min || v > max ? "'" + name + "' is " + v + ", expected " + min + ".." + max : null;
        } catch (NumberFormatException e) {
            return "'" + name + "' is '" + value + "', not a whole number";
        }
    }

    private static String settings(String name, String value) {
        try {
            KafkaSettings.parse(value);
            return null;
        } catch (IllegalArgumentException e) {
            return "'" + name + "' is invalid: " + e.getMessage();
        }
    }

    private PropertyDescriptor[] descriptors(List<String> names) {
        List<PropertyDescriptor> out = new ArrayList<>();
        for (String n : names) {
            try {
                out.add(new PropertyDescriptor(n, TributaryActivationSpec.class));
            } catch (IntrospectionException e) {
                // every name checked above is a bean property; nothing to describe otherwise
            }
        }
        return out.toArray(new PropertyDescriptor[0]);
    }
}
