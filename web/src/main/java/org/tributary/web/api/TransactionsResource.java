package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.BrokerService;
import org.tributary.ee.TransactionInfo;

/**
 * Open transactions of the whole cluster (Ongoing, PrepareCommit, PrepareAbort), oldest first,
 * each with its age now: a transaction that stays open holds back every {@code read_committed}
 * consumer of its partitions (the last stable offset), so the oldest one is the one to look at.
 * Viewers and admins may read it.
 */
@Path("transactions")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Transactions")
public class TransactionsResource {

    @EJB
    private BrokerService broker;

    /**
     * One open transaction: {@code startTime} ISO-8601 (null when the coordinator does not know
     * it), {@code ageMs} since then (-1 without a start time), {@code partitions} per topic.
     */
    public record TransactionRow(String transactionalId, long producerId, int producerEpoch, String state, String startTime,
            long startTimeMs, long ageMs, long timeoutMs, int coordinatorId, Map<String, List<Integer>> partitions) {
        static TransactionRow of(TransactionInfo t, long now) {
            boolean known = t.startTimeMs() >= 0;
            return new TransactionRow(t.transactionalId(), t.producerId(), t.producerEpoch(), t.state(),
                    known ? Instant.ofEpochMilli(t.startTimeMs()).toString() : null, t.startTimeMs(),
                    known ? Math.max(0, now - t.startTimeMs()) : -1, t.timeoutMs(), t.coordinatorId(), t.partitions());
        }
    }

    @GET
    @Operation(summary = "Open transactions (optionally those that wrote to one topic): id, producer, state, start, age, timeout, partitions")
    public List<TransactionRow> list(@QueryParam("topic") String topic) {
        String t = topic == null || topic.isBlank() ? null : topic.trim();
        if (t != null && (t.length() > 249 || !t.matches("[a-zA-Z0-9._-]+"))) {
            throw Inputs.invalid("topic", "'" + t + "' is not a legal topic name: use 1 to 249 of a-z A-Z 0-9 . _ -");
        }
        long now = System.currentTimeMillis();
        return broker.openTransactions(t).stream().map(r -> TransactionRow.of(r, now)).toList();
    }
}
