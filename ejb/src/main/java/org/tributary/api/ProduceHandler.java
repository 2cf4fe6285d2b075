package org.tributary.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.metadata.TopicImage;
import org.tributary.metrics.TopicMetrics;
import org.tributary.partition.DelayedOperation;
import org.tributary.partition.Partition;
import org.tributary.partition.TxnVerifier;
import org.apache.kafka.common.utils.Time;

/**
 * Produce: appends each partition's batches as leader (idempotence checked in {@link Partition};
 * a transactional batch opening its transaction on a partition verified with the transaction
 * coordinator first, {@link ProduceVerification}, the request completing once it answered),
 * wakes waiting fetches, and answers by acks: 0 = no answer (an error closes the connection, as
 * Kafka does), 1 = once written, -1 = once the ISR has it (a delayed operation).
 */
final class ProduceHandler implements ApiHandler {
    private final ApiServices services;
    private final boolean autoCreate;
    private final ProduceVerification verification;
    private final Executor appendExecutor;

    ProduceHandler(ApiServices services) {
        this(services, null, Runnable::run);
    }

    /**
     * {@code verifier}: asks transaction coordinators (KIP-890), null for none;
     * {@code appendExecutor}: where appends run once verification answered (the request handler pool).
     */
    ProduceHandler(ApiServices services, TxnVerifier verifier, Executor appendExecutor) {
        this.services = services;
        this.autoCreate = services.config().getBoolean("auto.create.topics.enable", true);
        this.verification = new ProduceVerification(verifier, Time.SYSTEM);
        this.appendExecutor = appendExecutor;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        ProduceRequestData req = (ProduceRequestData) message;
        short acks = req.acks();
        ProduceResponseData resp = new ProduceResponseData().setThrottleTimeMs(0);
        Map<TopicPartition, Partition> leaders = new LinkedHashMap<>();
        Map<TopicPartition, MemoryRecords> records = new HashMap<>();
        Map<TopicPartition, PartitionProduceResponse> byPartition = new HashMap<>();
        boolean anyError = false;
        // Kafka: transactional records need a transactional id the client may write (TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
        boolean transactionDenied = req.transactionalId() != null
                ? !services.authorizer().allows(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId())
                : hasTransactionalRecords(req);
        for (ProduceRequestData.TopicProduceData td : req.topicData()) {
            TopicProduceResponse tr = new TopicProduceResponse().setName(td.name()).setTopicId(td.topicId());
            resp.responses().add(tr);
            TopicImage topic = null;
            Errors topicError = Errors.NONE;
            String topicMessage = null;
            if (acks != 0 && acks != 1 && acks != -1) {
                topicError = Errors.INVALID_REQUIRED_ACKS;
            } else if (transactionDenied) {
                topicError = Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
            } else if (ctx.apiVersion() >= 13) {
                topic = ctx.image().topic(td.topicId()).orElse(null);
                topicError = topic == null ? Errors.UNKNOWN_TOPIC_ID : !mayWrite(ctx, topic.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : Errors.NONE;
            } else if (!mayWrite(ctx, td.name())) {
                topicError = Errors.TOPIC_AUTHORIZATION_FAILED;
            } else {
                topic = ctx.image().topic(td.name()).orElse(null);
                if (topic == null) {
                    try {
                        TopicAdmin.validateName(td.name());
                        if (autoCreate && !org.apache.kafka.common.internals.Topic.isInternal(td.name())
                                && MetadataHandler.mayCreate(services, ctx, td.name())) {
                            topic = MetadataHandler.autoCreate(services, td.name());
                        } else {
                            topicError = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                        }
                    } catch (ApiException e) {
                        topicError = Errors.forException(e);
                        topicMessage = e.getMessage();
                    }
                }
            }
            for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index())
                        .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                tr.partitionResponses().add(pr);
                if (topicError != Errors.NONE) {
                    pr.setErrorCode(topicError.code()).setErrorMessage(topicMessage);
                    anyError = true;
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), pd.index());
                Partition partition = services.replicas().partition(tp).orElse(null);
                if (partition == null || !partition.topicId().equals(topic.id())) {
                    pr.setErrorCode(ApiErrors.notServed(topic, pd.index()).code());
                    services.metrics().topic(topic.name()).produceFailed();
                    anyError = true;
                    continue;
                }
                leaders.put(tp, partition);
                records.put(tp, (MemoryRecords) pd.records());
                byPartition.put(tp, pr);
            }
        }
        boolean errorsBefore = anyError;
        if (!verification.enabled() || req.transactionalId() == null || leaders.isEmpty()) {
            return respond(ctx, req, resp, byPartition, append(acks, leaders, records, byPartition, null), errorsBefore);
        }
        return verification.verify(req.transactionalId(), leaders, records, ctx.apiVersion() > 10)
                .thenComposeAsync(outcomes -> respond(ctx, req, resp, byPartition, append(acks, leaders, records, byPartition, outcomes), errorsBefore),
                        appendExecutor);
    }

    /**
     * Appends each partition's records as leader (with its verification outcome when verifying);
     * answers failures in the partition's response.
     */
    private Appended append(short acks, Map<TopicPartition, Partition> leaders, Map<TopicPartition, MemoryRecords> records,
            Map<TopicPartition, PartitionProduceResponse> responses, Map<TopicPartition, ProduceVerification.Outcome> outcomes) {
        Map<TopicPartition, long[]> waitFor = new HashMap<>();
        boolean anyError = false;
        for (Map.Entry<TopicPartition, Partition> e : leaders.entrySet()) {
            TopicPartition tp = e.getKey();
            PartitionProduceResponse pr = responses.get(tp);
            TopicMetrics counters = services.metrics().topic(tp.topic());
            ProduceVerification.Outcome outcome = outcomes == null ? null : outcomes.get(tp);
            if (outcome != null && outcome.error() != Errors.NONE) {
                pr.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message());
                counters.produceFailed();
                anyError = true;
                continue;
            }
            try {
                MemoryRecords batch = records.get(tp);
                if (batch == null || batch.sizeInBytes() == 0) {
                    throw new org.apache.kafka.common.InvalidRecordException("Produce request for " + tp + " has no records");
                }
                Partition.AppendResult r = outcome == null ? e.getValue().appendAsLeader(batch, acks)
                        : e.getValue().appendVerified(batch, acks, outcome.guard());
                if (r.duplicate()) {
                    counters.appended(0, 0);
                } else {
                    counters.appended(r.lastOffset() - r.firstOffset() + 1, batch.sizeInBytes());
                }
                pr.setBaseOffset(r.firstOffset()).setLogAppendTimeMs(r.logAppendTime()).setLogStartOffset(r.logStartOffset());
                waitFor.put(tp, new long[] {r.lastOffset() + 1, r.leaderEpoch()});
            } catch (Exception ex) {
                Errors err = ApiErrors.of(ex, "produce to " + tp);
                pr.setErrorCode(err.code()).setErrorMessage(ApiErrors.message(ex, err));
                counters.produceFailed();
                anyError = true;
            }
        }
        waitFor.keySet().forEach(services.replicas()::onAppend);
        return new Appended(waitFor, anyError);
    }

    /** What the appends of one request did: the partitions written (offset and leader epoch to wait for), any failure. */
    private record Appended(Map<TopicPartition, long[]> waitFor, boolean anyError) {
    }

    /** Answers by acks: 0 = nothing (a failure closes the connection), 1 = now, -1 = once the ISR has every write. */
    private CompletableFuture<ApiMessage> respond(RequestContext ctx, ProduceRequestData req, ProduceResponseData resp,
            Map<TopicPartition, PartitionProduceResponse> byPartition, Appended a, boolean errorsBefore) {
        if (ctx.apiVersion() < 8) {
            short v = ctx.apiVersion();
            resp.responses().forEach(t -> t.partitionResponses().forEach(p -> {
                if (v < 5) {
                    p.setLogStartOffset(-1);
                }
                p.setErrorMessage(null);
            }));
        }
        short acks = req.acks();
        if (acks == 0) {
            if (a.anyError() || errorsBefore) {
                return CompletableFuture.failedFuture(new CloseConnection("acks=0 produce failed for at least one partition"));
            }
            return CompletableFuture.completedFuture(null);
        }
        if (acks == 1 || a.waitFor().isEmpty()) {
            return CompletableFuture.completedFuture(resp);
        }
        CompletableFuture<ApiMessage> done = new CompletableFuture<>();
        DelayedProduce op = new DelayedProduce(req.timeoutMs(), a.waitFor(), byPartition, resp, done);
        services.replicas().producePurgatory().tryCompleteElseWatch(op, new ArrayList<>(a.waitFor().keySet()));
        return done;
    }

    /** Kafka's RequestUtils.hasTransactionalRecords: the first batch of any partition is transactional. */
    private static boolean hasTransactionalRecords(ProduceRequestData req) {
        for (ProduceRequestData.TopicProduceData td : req.topicData()) {
            for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                if (pd.records() instanceof MemoryRecords m) {
                    try {
                        for (org.apache.kafka.common.record.internal.RecordBatch b : m.batches()) {
                            if (b.isTransactional()) {
                                return true;
                            }
                            break;
                        }
                    } catch (RuntimeException e) {
                        // malformed: the append reports it for its partition
                    }
                }
            }
        }
        return false;
    }

    /** Kafka's check for Produce: WRITE on the topic (KIP-679: no cluster permission for idempotence). */
    private boolean mayWrite(RequestContext ctx, String topic) {
        return services.authorizer().allows(ctx, AclOperation.WRITE, ResourceType.TOPIC, topic);
    }

    /**
     * acks=all: waits until every written partition's high watermark covers the append (the whole
     * ISR has it), then answers per partition as Kafka does: NONE, NOT_ENOUGH_REPLICAS_AFTER_APPEND
     * when the ISR shrank below min.insync.replicas meanwhile, NOT_LEADER_OR_FOLLOWER when the
     * leadership was lost, REQUEST_TIMED_OUT at the timeout.
     */
    private final class DelayedProduce extends DelayedOperation {
        private final Map<TopicPartition, long[]> required;
        private final Map<TopicPartition, PartitionProduceResponse> results;
        private final ProduceResponseData response;
        private final CompletableFuture<ApiMessage> done;

        DelayedProduce(long timeoutMs, Map<TopicPartition, long[]> required, Map<TopicPartition, PartitionProduceResponse> results,
                ProduceResponseData response, CompletableFuture<ApiMessage> done) {
            super(Math.max(0, timeoutMs));
            this.required = required;
            this.results = results;
            this.response = response;
            this.done = done;
        }

        private Errors state(TopicPartition tp, long[] req) {
            return services.replicas().acksAllState(tp, req[0], (int) req[1]);
        }

        @Override
        public boolean tryComplete() {
            for (Map.Entry<TopicPartition, long[]> e : required.entrySet()) {
                if (state(e.getKey(), e.getValue()) == null) {
                    return false;
                }
            }
            return forceComplete();
        }

        @Override
        protected void onComplete() {
            for (Map.Entry<TopicPartition, long[]> e : required.entrySet()) {
                Errors state = state(e.getKey(), e.getValue());
                Errors answer = state == null ? Errors.REQUEST_TIMED_OUT : state;
                if (answer != Errors.NONE) {
                    PartitionProduceResponse pr = results.get(e.getKey());
                    pr.setErrorCode(answer.code());
                    services.metrics().topic(e.getKey().topic()).produceFailed();
                }
            }
            done.complete(response);
        }
    }
}
