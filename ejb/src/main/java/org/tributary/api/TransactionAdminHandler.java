package org.tributary.api;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.tributary.txn.TransactionCoordinator;
import org.tributary.txn.TxnState;

/**
 * DescribeTransactions (API 65) and ListTransactions (API 66: state and producer-id filters, the
 * duration filter of v1, the transactional-id pattern of v2) over the transactions this broker
 * coordinates, as {@code kafka-transactions describe/list} use them. Authorization as Kafka:
 * DESCRIBE on the transactional id (listed ids the principal may not describe are left out), and
 * DESCRIBE on a topic to see its partitions in a description.
 */
final class TransactionAdminHandler {
    private final ApiServices services;
    private final TransactionCoordinator txns;
    private final Time time;

    TransactionAdminHandler(ApiServices services, TransactionCoordinator txns, Time time) {
        this.services = services;
        this.txns = txns;
        this.time = time;
    }

    CompletionStage<ApiMessage> describe(RequestContext ctx, ApiMessage message) {
        DescribeTransactionsRequestData req = (DescribeTransactionsRequestData) message;
        DescribeTransactionsResponseData out = new DescribeTransactionsResponseData().setThrottleTimeMs(0);
        RequestAuthorizer auth = services.authorizer();
        for (String id : req.transactionalIds()) {
            DescribeTransactionsResponseData.TransactionState ts = new DescribeTransactionsResponseData.TransactionState()
                    .setTransactionalId(id).setTransactionState("").setProducerId(-1L).setProducerEpoch((short) -1)
                    .setTransactionStartTimeMs(-1L);
            out.transactionStates().add(ts);
            if (!auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
                ts.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
                continue;
            }
            Errors e = id.isEmpty() ? Errors.TRANSACTIONAL_ID_NOT_FOUND : txns.checkCoordinator(id);
            var view = e == Errors.NONE ? txns.describe(id) : java.util.Optional.<TransactionCoordinator.TxnView>empty();
            if (e == Errors.NONE && view.isEmpty()) {
                e = Errors.TRANSACTIONAL_ID_NOT_FOUND;
            }
            if (e != Errors.NONE) {
                ts.setErrorCode(e.code());
                continue;
            }
            var s = view.get().state();
            ts.setErrorCode(Errors.NONE.code()).setTransactionState(s.state().kafkaName()).setTransactionTimeoutMs(s.timeoutMs())
                    .setTransactionStartTimeMs(s.startMs()).setProducerId(s.producerId()).setProducerEpoch(s.epoch());
            Map<String, List<Integer>> byTopic = new TreeMap<>();
            for (TopicPartition tp : s.partitions()) {
                if (auth.filters(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, tp.topic())) {
                    byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
                }
            }
            byTopic.forEach((topic, ids) -> ts.topics().add(new DescribeTransactionsResponseData.TopicData().setTopic(topic)
                    .setPartitions(ids.stream().sorted().toList())));
        }
        return CompletableFuture.completedFuture(out);
    }

    CompletionStage<ApiMessage> list(RequestContext ctx, ApiMessage message) {
        ListTransactionsRequestData req = (ListTransactionsRequestData) message;
        short v = ctx.apiVersion();
        ListTransactionsResponseData out = new ListTransactionsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
        Set<TxnState> states = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String s : req.stateFilters()) {
            TxnState st = TxnState.parse(s);
            if (st == null) {
                unknown.add(s);
            } else {
                states.add(st);
            }
        }
        out.setUnknownStateFilters(unknown);
        Pattern pattern = null;
        if (v >= 2 && req.transactionalIdPattern() != null && !req.transactionalIdPattern().isEmpty()) {
            try {
                pattern = Pattern.compile(req.transactionalIdPattern());
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(out.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        if (txns.loading()) {
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
        }
        if (!unknown.isEmpty() && states.isEmpty()) {
            return CompletableFuture.completedFuture(out); // only unknown states: nothing matches
        }
        Set<Long> producerIds = new HashSet<>(req.producerIdFilters());
        long duration = v >= 1 ? req.durationFilter() : -1L;
        long now = time.milliseconds();
        Pattern p = pattern;
        RequestAuthorizer auth = services.authorizer();
        for (TransactionCoordinator.TxnView t : txns.list(t -> (states.isEmpty() || states.contains(t.state().state()))
                && (producerIds.isEmpty() || producerIds.contains(t.state().producerId()))
                && (duration < 0 || (t.state().startMs() >= 0 && now - t.state().startMs() > duration))
                && (p == null || p.matcher(t.transactionalId()).matches()))) {
            if (auth.filters(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId())) {
                out.transactionStates().add(new ListTransactionsResponseData.TransactionState().setTransactionalId(t.transactionalId())
                        .setProducerId(t.state().producerId()).setTransactionState(t.state().state().kafkaName()));
            }
        }
        return CompletableFuture.completedFuture(out);
    }
}
