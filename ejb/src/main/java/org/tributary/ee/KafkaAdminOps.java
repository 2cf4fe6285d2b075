package org.tributary.ee;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeTransactionsResult;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The admin reads the engine does not expose directly (configs, records, offsets, group members),
 * and producing a record, done the way any operator tool does them: with kafka-clients against
 * this broker's own Kafka listener. Changes go in-process instead ({@link ConsoleChanges}). One {@link Admin} (which also
 * looks offsets up, with ListOffsets), one {@link KafkaProducer} and one group-less consumer (for
 * reading records) are created on first use and closed with the broker. Every Kafka error becomes
 * an {@link AdminException}.
 */
final class KafkaAdminOps implements AutoCloseable {
    private static final long TIMEOUT_MS = 15_000;
    private final String bootstrap;
    private final java.util.Map<String, Object> security;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;
    private final Object readLock = new Object();
    private KafkaConsumer<byte[], byte[]> reader;

    KafkaAdminOps(String bootstrap) {
        this(bootstrap, java.util.Map.of());
    }

    /** {@code security}: kafka-clients settings for the listener (security.protocol, ssl.*); empty for plaintext. */
    KafkaAdminOps(String bootstrap, java.util.Map<String, Object> security) {
        this.bootstrap = bootstrap;
        this.security = java.util.Map.copyOf(security);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.putAll(security);
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "tributary-admin-api");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            admin = Admin.create(p);
        }
        return admin;
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.putAll(security);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "tributary-admin-api");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TIMEOUT_MS);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    List<ConfigEntryInfo> describeConfigs(String topic) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = await(admin().describeConfigs(List.of(r)).all(), "name").get(r);
        List<ConfigEntryInfo> out = new ArrayList<>();
        for (ConfigEntry e : c.entries()) {
            out.add(new ConfigEntryInfo(e.name(), e.isSensitive() ? null : e.value(), String.valueOf(e.source()), e.isReadOnly(),
                    e.isSensitive()));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    ProducedRecord produce(String topic, Integer partition, byte[] key, byte[] value, List<RecordInfo.Header> headers) {
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, partition, key, value);
        for (RecordInfo.Header h : headers) {
            rec.headers().add(new RecordHeader(h.key(), h.value()));
        }
        RecordMetadata m = await(producer().send(rec), "topic");
        return new ProducedRecord(m.topic(), m.partition(), m.offset(), m.timestamp());
    }

    /**
     * Up to {@code limit} records of one partition from an offset, or from the first offset whose
     * timestamp is at or after {@code timestamp} when that is not null; waits at most ~2 s for data.
     */
    List<RecordInfo> browse(String topic, int partition, long offset, Long timestamp, int limit) {
        synchronized (readLock) {
            return browseLocked(topic, partition, offset, timestamp, limit);
        }
    }

    private List<RecordInfo> browseLocked(String topic, int partition, long offset, Long timestamp, int limit) {
        TopicPartition tp = new TopicPartition(topic, partition);
        List<RecordInfo> out = new ArrayList<>();
        long end = listOffsets(List.of(tp), OffsetSpec.latest()).get(tp);
        long start;
        if (timestamp != null) {
            long found = listOffsets(List.of(tp), OffsetSpec.forTimestamp(timestamp)).get(tp);
            start = found < 0 ? end : found;
        } else {
            start = Math.max(offset, listOffsets(List.of(tp), OffsetSpec.earliest()).get(tp));
        }
        if (start >= end) {
            return out;
        }
        try {
            KafkaConsumer<byte[], byte[]> c = reader();
            c.assign(List.of(tp));
            c.seek(tp, start);
            long deadline = System.currentTimeMillis() + 2_000;
            while (out.size() < limit && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (out.size() < limit) {
                        List<RecordInfo.Header> hs = new ArrayList<>();
                        r.headers().forEach(h -> hs.add(new RecordInfo.Header(h.key(), h.value())));
                        out.add(new RecordInfo(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType().name,
                                r.key(), r.value(), hs));
                    }
                }
                if (c.position(tp) >= end) {
                    break;
                }
            }
        } catch (ApiException e) {
            throw translate(e, "partition");
        } catch (RuntimeException e) {
            closeReader();
            throw e;
        }
        return out;
    }

    /** The one consumer (no group) that reads records; callers hold {@link #readLock}. */
    private KafkaConsumer<byte[], byte[]> reader() {
        if (reader == null) {
            reader = newConsumer();
        }
        return reader;
    }

    private void closeReader() {
        synchronized (readLock) {
            if (reader != null) {
                reader.close(Duration.ofSeconds(2));
                reader = null;
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(security);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-admin-browser");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // reading a topic deleted meanwhile must not create it
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The transaction states that are open: the coordinator has started the transaction and not yet finished it. */
    private static final java.util.Set<TransactionState> OPEN = java.util.EnumSet.of(TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);

    /**
     * The open transactions of the whole cluster, as Kafka's own tools find them: ListTransactions
     * to every broker (each answers for the transactional ids it coordinates), then
     * DescribeTransactions to each one's coordinator. A transaction that ends between the two is left
     * out. Ordered by start time, oldest first.
     */
    List<TransactionInfo> openTransactions() {
        java.util.Collection<TransactionListing> listed = await(admin().listTransactions(new ListTransactionsOptions()
                .filterStates(OPEN)).all(), null);
        List<String> ids = listed.stream().filter(l -> OPEN.contains(l.state())).map(TransactionListing::transactionalId).toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        DescribeTransactionsResult described = admin().describeTransactions(ids);
        List<TransactionInfo> out = new ArrayList<>();
        for (String id : ids) {
            TransactionDescription d;
            try {
                d = described.description(id).get(TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                continue; // finished (or moved) since it was listed
            } catch (TimeoutException e) {
                throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "the broker did not answer in time");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "interrupted");
            }
            if (!OPEN.contains(d.state())) {
                continue;
            }
            java.util.TreeMap<String, List<Integer>> parts = new java.util.TreeMap<>();
            d.topicPartitions().forEach(tp -> parts.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
            parts.values().forEach(l -> l.sort(null));
            out.add(new TransactionInfo(id, d.producerId(), d.producerEpoch(), d.state().toString(),
                    d.transactionStartTimeMs().orElse(-1L), d.transactionTimeoutMs(), d.coordinatorId(), parts));
        }
        out.sort(java.util.Comparator.comparingLong(TransactionInfo::startTimeMs).thenComparing(TransactionInfo::transactionalId));
        return out;
    }

    /** Member details (with decoded assignments) from DescribeGroups. */
    List<GroupInfo.MemberInfo> members(String groupId) {
        ConsumerGroupDescription d = await(admin().describeConsumerGroups(List.of(groupId)).all(), "groupId").get(groupId);
        List<GroupInfo.MemberInfo> out = new ArrayList<>();
        d.members().forEach(m -> out.add(new GroupInfo.MemberInfo(m.consumerId(), m.groupInstanceId().orElse(null), m.clientId(),
                m.host(), m.assignment().topicPartitions().stream().map(TopicPartition::toString).sorted().toList())));
        return out;
    }

    /** Commits new offsets for the given partitions of the group (the group must have no members). */
    Map<TopicPartition, Long> resetOffsets(String groupId, Collection<TopicPartition> partitions, OffsetReset how) {
        Map<TopicPartition, Long> target = resetTargets(partitions, how);
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        target.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
        await(admin().alterConsumerGroupOffsets(groupId, commit).all(), "groupId");
        return target;
    }

    /** The offsets a reset moves the partitions to (looked up with ListOffsets; nothing is committed). */
    Map<TopicPartition, Long> resetTargets(Collection<TopicPartition> partitions, OffsetReset how) {
        Map<TopicPartition, Long> target = new HashMap<>();
        if (how.kind() == OffsetReset.Kind.OFFSET) {
            partitions.forEach(tp -> target.put(tp, how.value()));
        } else {
            target.putAll(lookUpOffsets(partitions, how));
        }
        return target;
    }

    /** Earliest, latest or first-at-time offsets (the log end offset where no record is that late). */
    private Map<TopicPartition, Long> lookUpOffsets(Collection<TopicPartition> partitions, OffsetReset how) {
        return switch (how.kind()) {
            case EARLIEST -> listOffsets(partitions, OffsetSpec.earliest());
            case LATEST -> listOffsets(partitions, OffsetSpec.latest());
            default -> {
                Map<TopicPartition, Long> found = listOffsets(partitions, OffsetSpec.forTimestamp(how.value()));
                List<TopicPartition> none = found.entrySet().stream().filter(e -> e.getValue() < 0).map(Map.Entry::getKey).toList();
                if (!none.isEmpty()) {
                    found.putAll(listOffsets(none, OffsetSpec.latest()));
                }
                yield found;
            }
        };
    }

    /** One ListOffsets look-up for every partition (offset -1 where a timestamp matches no record). */
    private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        partitions.forEach(tp -> q.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> found = await(admin().listOffsets(q).all(), "partition");
        Map<TopicPartition, Long> out = new HashMap<>();
        found.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static <T> T await(java.util.concurrent.Future<T> f, String field) {
        try {
            return f.get(TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ApiException a) {
                throw translate(a, field);
            }
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, String.valueOf(c == null ? e : c.getMessage()));
        } catch (TimeoutException e) {
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "the broker did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "interrupted");
        }
    }

    static AdminException translate(ApiException e, String field) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof UnknownTopicOrPartitionException || e instanceof GroupIdNotFoundException
                || e instanceof NoReassignmentInProgressException) {
            return new AdminException(AdminException.Kind.NOT_FOUND, field, msg);
        }
        if (e instanceof TopicExistsException || e instanceof GroupNotEmptyException || e instanceof UnknownMemberIdException) {
            return new AdminException(AdminException.Kind.CONFLICT, field, msg);
        }
        if (e instanceof InvalidPartitionsException) {
            return new AdminException(AdminException.Kind.INVALID, "partitions", msg);
        }
        if (e instanceof InvalidReplicationFactorException) {
            return new AdminException(AdminException.Kind.INVALID, "replicationFactor", msg);
        }
        if (e instanceof InvalidReplicaAssignmentException) {
            return new AdminException(AdminException.Kind.INVALID, "replicas", msg);
        }
        if (e instanceof InvalidConfigurationException || e instanceof PolicyViolationException) {
            return new AdminException(AdminException.Kind.INVALID, "configs", msg);
        }
        if (e instanceof InvalidTopicException || e instanceof InvalidRequestException) {
            return new AdminException(AdminException.Kind.INVALID, field, msg);
        }
        return new AdminException(AdminException.Kind.UNAVAILABLE, field, e.getClass().getSimpleName() + ": " + msg);
    }

    @Override
    public synchronized void close() {
        closeReader();
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
