package org.tributary.api;

import org.tributary.controller.ApiError;
import org.apache.kafka.clients.admin.AlterConfigOp;
import java.util.TreeSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.log.LogConfig;
import org.tributary.metadata.TopicImage;

/**
 * DescribeConfigs (topics and this broker), AlterConfigs (replace a topic's overrides) and
 * IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT on a topic). Broker configs are static
 * here: describing them works, altering them is refused with INVALID_REQUEST. One exception:
 * deleting the broker-level replication throttles (which Tributary never sets) succeeds and changes
 * nothing, as {@code kafka-reassign-partitions --verify} does after every reassignment.
 */
final class ConfigsHandler {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    static final byte DYNAMIC_TOPIC_CONFIG = 1;
    static final byte STATIC_BROKER_CONFIG = 4;
    static final byte DEFAULT_CONFIG = 5;
    /** Broker configs that can be changed at run time (KIP-73's replication throttles), per broker id or for all brokers. */
    static final Set<String> DYNAMIC_BROKER_CONFIGS = Set.of("leader.replication.throttled.rate", "follower.replication.throttled.rate");
    /** Throttles moves between log directories; this broker has one, so it can only be cleared (as kafka-reassign-partitions does). */
    static final String LOG_DIRS_THROTTLE = "replica.alter.log.dirs.io.max.bytes.per.second";
    static final byte DYNAMIC_BROKER_CONFIG = 2;
    static final byte DYNAMIC_DEFAULT_BROKER_CONFIG = 3;

    /** One described config. */
    record Entry(String name, String value, byte source) {
    }

    private final ApiServices services;

    ConfigsHandler(ApiServices services) {
        this.services = services;
    }

    private static final Map<String, String> KAFKA_DEFAULTS = LogConfig.defaults().values();

    /** A topic's configs: overrides are DYNAMIC_TOPIC_CONFIG; values a broker setting changed are STATIC_BROKER_CONFIG. */
    static List<Entry> topicEntries(LogConfig config) {
        List<Entry> out = new ArrayList<>();
        config.values().forEach((k, v) -> out.add(new Entry(k, v, config.overrides().containsKey(k) ? DYNAMIC_TOPIC_CONFIG
                : v.equals(KAFKA_DEFAULTS.get(k)) ? DEFAULT_CONFIG : STATIC_BROKER_CONFIG)));
        return out;
    }

    CompletionStage<ApiMessage> describeConfigs(RequestContext ctx, ApiMessage message) {
        DescribeConfigsRequestData req = (DescribeConfigsRequestData) message;
        DescribeConfigsResponseData resp = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsRequestData.DescribeConfigsResource r : req.resources()) {
            DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                    .setResourceType(r.resourceType()).setResourceName(r.resourceName());
            resp.results().add(result);
            try {
                List<Entry> entries;
                boolean readOnly;
                if (r.resourceType() == TOPIC) {
                    TopicAdmin.validateName(r.resourceName());
                    TopicImage t = ctx.image().topic(r.resourceName()).orElseThrow(() ->
                            new UnknownTopicOrPartitionException("Topic " + r.resourceName() + " does not exist"));
                    entries = topicEntries(LogConfig.from(services.topics().brokerDefaults(), t.configs()));
                    readOnly = false;
                } else if (r.resourceType() == BROKER) {
                    checkBroker(r.resourceName());
                    entries = new ArrayList<>();
                    Map<String, String> dynamic = ctx.image().brokerConfig(r.resourceName());
                    Map<String, String> dynamicDefault = ctx.image().brokerConfig("");
                    for (Map.Entry<String, String> e : new TreeMap<>(services.config().explicitValues()).entrySet()) {
                        if (!DYNAMIC_BROKER_CONFIGS.contains(e.getKey())) {
                            entries.add(new Entry(e.getKey(), e.getValue(), STATIC_BROKER_CONFIG));
                        }
                    }
                    for (String k : new TreeSet<>(DYNAMIC_BROKER_CONFIGS)) {
                        if (!r.resourceName().isEmpty() && dynamic.containsKey(k)) {
                            entries.add(new Entry(k, dynamic.get(k), DYNAMIC_BROKER_CONFIG));
                        } else if (dynamicDefault.containsKey(k)) {
                            entries.add(new Entry(k, dynamicDefault.get(k), DYNAMIC_DEFAULT_BROKER_CONFIG));
                        }
                    }
                    readOnly = true;
                } else {
                    throw new InvalidRequestException("Unsupported resource type " + r.resourceType()
                            + "; topics (2) and brokers (4) can be described");
                }
                Set<String> wanted = r.configurationKeys() == null ? null : new LinkedHashSet<>(r.configurationKeys());
                for (Entry e : entries) {
                    if (wanted != null && !wanted.contains(e.name())) {
                        continue;
                    }
                    boolean sensitive = e.name().contains("password") || e.name().contains("secret");
                    DescribeConfigsResourceResult c = new DescribeConfigsResourceResult()
                            .setName(e.name()).setValue(sensitive ? null : e.value())
                            .setReadOnly(readOnly).setIsSensitive(sensitive)
                            .setConfigSource(e.source())
                            .setConfigType((byte) 0);
                    if (req.includeSynonyms()) {
                        c.synonyms().add(new DescribeConfigsResponseData.DescribeConfigsSynonym()
                                .setName(e.name()).setValue(c.value()).setSource(e.source()));
                    }
                    result.configs().add(c);
                }
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(resp);
    }

    private void checkBroker(String name) {
        if (!name.isEmpty() && !name.equals(Integer.toString(services.cluster().localBrokerId()))) {
            throw new InvalidRequestException("Unexpected broker id, expected " + services.cluster().localBrokerId()
                    + " or empty string, but received " + name);
        }
    }

    CompletionStage<ApiMessage> alterConfigs(RequestContext ctx, ApiMessage message) {
        AlterConfigsRequestData req = (AlterConfigsRequestData) message;
        AlterConfigsResponseData resp = new AlterConfigsResponseData().setThrottleTimeMs(0);
        for (AlterConfigsRequestData.AlterConfigsResource r : req.resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse rr = new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType()).setResourceName(r.resourceName());
            resp.responses().add(rr);
            try {
                checkTopicResource(r.resourceType(), r.resourceName());
                Map<String, String> overrides = new TreeMap<>();
                for (AlterConfigsRequestData.AlterableConfig c : r.configs()) {
                    if (c.value() == null) {
                        throw new InvalidConfigurationException("Null value not supported for: " + c.name());
                    }
                    overrides.put(c.name(), c.value());
                }
                services.topics().setConfigs(r.resourceName(), overrides, req.validateOnly());
            } catch (ApiException e) {
                rr.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            } catch (RuntimeException e) {
                Errors err = ApiErrors.of(e, "alter configs of " + r.resourceName());
                rr.setErrorCode(err.code()).setErrorMessage(err.message());
            }
        }
        return CompletableFuture.completedFuture(resp);
    }

    CompletionStage<ApiMessage> incrementalAlterConfigs(RequestContext ctx, ApiMessage message) {
        IncrementalAlterConfigsRequestData req = (IncrementalAlterConfigsRequestData) message;
        IncrementalAlterConfigsResponseData resp = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : req.resources()) {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse rr =
                    new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(r.resourceType()).setResourceName(r.resourceName());
            resp.responses().add(rr);
            try {
                if (r.resourceType() == BROKER) {
                    alterBroker(r, req.validateOnly());
                    continue;
                }
                checkTopicResource(r.resourceType(), r.resourceName());
                TopicImage t = services.metadata().image().topic(r.resourceName()).orElseThrow(() ->
                        new UnknownTopicOrPartitionException("Topic " + r.resourceName() + " does not exist"));
                Map<String, String> overrides = new TreeMap<>(t.configs());
                LogConfig current = LogConfig.from(services.topics().brokerDefaults(), t.configs());
                for (IncrementalAlterConfigsRequestData.AlterableConfig c : r.configs()) {
                    apply(overrides, current, c);
                }
                services.topics().setConfigs(r.resourceName(), overrides, req.validateOnly());
            } catch (ApiException e) {
                rr.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            } catch (RuntimeException e) {
                Errors err = ApiErrors.of(e, "alter configs of " + r.resourceName());
                rr.setErrorCode(err.code()).setErrorMessage(err.message());
            }
        }
        return CompletableFuture.completedFuture(resp);
    }

    /**
     * Sets or deletes dynamic broker configs of one broker (or of all: an empty name) through the
     * controller. Only the replication throttle rates can change at run time; anything else is
     * refused as Kafka refuses a config that is not dynamic.
     */
    private void alterBroker(IncrementalAlterConfigsRequestData.AlterConfigsResource r, boolean validateOnly) {
        checkBroker(r.resourceName());
        IncrementalAlterConfigsRequestData.AlterConfigsResource forward = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(BROKER).setResourceName(r.resourceName());
        Set<String> notDynamic = new TreeSet<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : r.configs()) {
            boolean delete = c.configOperation() == AlterConfigOp.OpType.DELETE.id();
            if (c.name().equals(LOG_DIRS_THROTTLE)) {
                if (!delete) {
                    throw new InvalidConfigurationException(LOG_DIRS_THROTTLE + " cannot be set: this broker keeps its logs in one "
                            + "directory and never moves replicas between directories");
                }
                continue; // never set, so clearing it is done
            }
            if (!DYNAMIC_BROKER_CONFIGS.contains(c.name())) {
                notDynamic.add(c.name());
                continue;
            }
            if (!delete && c.configOperation() != AlterConfigOp.OpType.SET.id()) {
                throw new InvalidRequestException(c.name() + " is a number: only SET and DELETE apply to it");
            }
            if (!delete) {
                long v;
                try {
                    v = Long.parseLong(c.value() == null ? "" : c.value().trim());
                } catch (NumberFormatException e) {
                    throw new InvalidConfigurationException("Invalid value " + c.value() + " for configuration " + c.name()
                            + ": Not a number of type LONG");
                }
                if (v < 0) {
                    throw new InvalidConfigurationException("Invalid value " + v + " for configuration " + c.name()
                            + ": Value must be at least 0");
                }
            }
            forward.configs().add(c.duplicate());
        }
        if (!notDynamic.isEmpty()) {
            throw new InvalidRequestException("Cannot update these configs dynamically: " + notDynamic + "; set them in the "
                    + "broker's configuration (tributary.properties or system properties) and restart it");
        }
        if (validateOnly || forward.configs().isEmpty()) {
            return;
        }
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
        req.resources().add(forward);
        IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse rr = services.controller()
                .call(req, IncrementalAlterConfigsResponseData.class, TopicAdmin.CONTROLLER_TIMEOUT).responses().get(0);
        ApiError e = TopicAdmin.resultError(rr.errorCode(), rr.errorMessage());
        if (!e.isSuccess()) {
            throw e.error().exception(e.message());
        }
    }

    private static void apply(Map<String, String> overrides, LogConfig current, IncrementalAlterConfigsRequestData.AlterableConfig c) {
        String name = c.name();
        if (!LogConfig.topicConfigNames().contains(name)) {
            throw new InvalidConfigurationException("Unknown topic config name: " + name);
        }
        switch (c.configOperation()) {
            case 0 -> { // SET
                if (c.value() == null) {
                    throw new InvalidConfigurationException("Null value not supported for: " + name);
                }
                overrides.put(name, c.value());
            }
            case 1 -> overrides.remove(name); // DELETE
            case 2, 3 -> { // APPEND, SUBTRACT on list values
                String base = overrides.getOrDefault(name, current.values().getOrDefault(name, ""));
                Set<String> items = new LinkedHashSet<>();
                Arrays.stream(base.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
                List<String> delta = c.value() == null ? List.of()
                        : Arrays.stream(c.value().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
                if (c.configOperation() == 2) {
                    items.addAll(delta);
                } else {
                    delta.forEach(items::remove);
                }
                overrides.put(name, String.join(",", items));
            }
            default -> throw new InvalidRequestException("Unknown config operation " + c.configOperation() + " for " + name);
        }
    }

    private void checkTopicResource(byte type, String name) {
        if (type == BROKER) {
            checkBroker(name);
            throw new InvalidRequestException("Broker configs are static in Tributary: change tributary.properties and restart");
        }
        if (type != TOPIC) {
            throw new InvalidRequestException("Unsupported resource type " + type + "; only topic configs can be altered");
        }
        TopicAdmin.validateName(name);
    }
}
