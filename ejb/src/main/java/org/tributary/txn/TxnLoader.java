package org.tributary.txn;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;
import org.tributary.coordinator.CoordinatorLog;

/**
 * Replays one {@code __transaction_state} partition: the latest value per transactional id
 * (tombstones remove it). As the group loader, it reads up to the log end: the new leader's log is
 * the one every replica will end up with. Touches no coordinator state.
 */
final class TxnLoader {
    private static final Logger LOG = Logger.getLogger(TxnLoader.class.getName());

    /** What a replay found, in leader epoch {@code leaderEpoch}. */
    record Loaded(Map<String, TxnSnapshot> txns, int leaderEpoch) {
    }

    private TxnLoader() {
    }

    static Loaded replay(CoordinatorLog log, int partition) throws IOException {
        Map<String, TxnSnapshot> txns = new HashMap<>();
        int[] epoch = {-1};
        log.replay(partition, new CoordinatorLog.Replay() {
            @Override
            public void begin(long highWatermark, int leaderEpoch) {
                epoch[0] = leaderEpoch;
            }

            @Override
            public void record(long offset, byte[] key, byte[] value) {
                if (key == null) {
                    return;
                }
                try {
                    String id = TransactionLogRecords.transactionalId(key);
                    if (id == null) {
                        return;
                    }
                    if (value == null) {
                        txns.remove(id);
                    } else {
                        txns.put(id, TransactionLogRecords.parseValue(value));
                    }
                } catch (RuntimeException e) {
                    LOG.warning("TRIB-TXN-006 skipped an unreadable record at offset " + offset + " of __transaction_state-" + partition
                            + ": " + e);
                }
            }
        });
        return new Loaded(txns, epoch[0]);
    }
}
