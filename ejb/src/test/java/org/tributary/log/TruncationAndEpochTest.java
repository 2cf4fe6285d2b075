package org.tributary.log;

import org.tributary.testing.FakeTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruncationAndEpochTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(30_000_000L);
    PartitionLog log;
    Path dir;

    PartitionLog open(Map<String, String> overrides) throws Exception {
        dir = tmp.resolve("ledger-0");
        log = PartitionLog.open(dir, LogConfig.from(Map.of(), overrides), time);
        return log;
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log != null && !log.isClosed()) {
            log.close();
        }
    }

    void append(int records, int epoch) throws Exception {
        log.appendAsLeader(Batches.batch(records, 50, time.milliseconds()), epoch);
    }

    @Test
    void truncateRemovesEverythingAtOrAfterTheOffsetAcrossSegments() throws Exception {
        open(Map.of("segment.bytes", "500"));
        for (int i = 0; i < 10; i++) {
            append(2, 0);
        }
        assertTrue(log.segmentCount() > 3);
        log.truncateTo(6);
        assertEquals(6, log.logEndOffset());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), Batches.offsets(log));
        assertTrue(log.segmentBaseOffsets().stream().allMatch(b -> b <= 6));
        append(1, 0);
        assertEquals(7, log.logEndOffset());
        log.close();
        open(Map.of("segment.bytes", "500"));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), Batches.offsets(log));
    }

    @Test
    void truncateToSegmentBaseLeavesThatSegmentEmptyAndActive() throws Exception {
        open(Map.of("segment.bytes", "400"));
        for (int i = 0; i < 6; i++) {
            append(2, 0);
        }
        long secondBase = log.segmentBaseOffsets().get(1);
        log.truncateTo(secondBase);
        assertEquals(secondBase, log.logEndOffset());
        assertEquals(secondBase, log.activeSegment().baseOffset());
        assertEquals(0, log.activeSegment().size());
        append(2, 0);
        assertEquals(secondBase + 2, log.logEndOffset());
    }

    @Test
    void truncateInsideABatchRemovesThatWholeBatch() throws Exception {
        open(Map.of());
        append(3, 0);
        append(3, 0);
        log.truncateTo(4);
        assertEquals(3, log.logEndOffset());
        assertEquals(List.of(0L, 1L, 2L), Batches.offsets(log));
    }

    @Test
    void highWatermarkIsCheckpointedAndClampedToTheLog() throws Exception {
        open(Map.of());
        append(5, 0);
        log.updateHighWatermark(3);
        assertEquals(3, log.highWatermark());
        log.updateHighWatermark(99);
        assertEquals(5, log.highWatermark(), "never past the log end");
        log.updateHighWatermark(4);
        log.close();
        open(Map.of());
        assertEquals(4, log.highWatermark());
        log.truncateTo(2);
        assertEquals(0, log.logEndOffset(), "the 5-record batch holding offset 2 goes entirely");
        assertEquals(0, log.highWatermark());
    }

    @Test
    void truncateBelowLogStartEmptiesTheLogAndRestartsThere() throws Exception {
        open(Map.of());
        append(5, 0);
        log.truncateTo(0);
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(1, log.segmentCount());
    }

    @Test
    void leaderEpochCacheRecordsEpochStartsAndAnswersLikeKafka() throws Exception {
        open(Map.of());
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(0));
        append(3, 1);   // epoch 1: 0..2
        append(2, 1);   // 3..4
        append(4, 3);   // epoch 3: 5..8
        append(1, 5);   // epoch 5: 9
        assertEquals(OptionalInt.of(5), log.latestEpoch());
        assertEquals(new EpochEndOffset(5, 10), log.endOffsetForEpoch(5)); // latest: log end offset
        assertEquals(new EpochEndOffset(3, 9), log.endOffsetForEpoch(3));
        assertEquals(new EpochEndOffset(3, 9), log.endOffsetForEpoch(4)); // largest epoch <= 4 is 3
        assertEquals(new EpochEndOffset(1, 5), log.endOffsetForEpoch(2));
        assertEquals(new EpochEndOffset(0, 0), log.endOffsetForEpoch(0)); // below the first: requested, first start
        assertEquals(EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(6));
        assertEquals(Map.of(1, 0L, 3, 5L, 5, 9L), log.epochCache.entries());
    }

    @Test
    void epochCacheIsCheckpointedAndTruncatedWithTheLog() throws Exception {
        open(Map.of());
        append(3, 1);
        append(3, 2);
        append(3, 4);
        log.truncateTo(6);
        assertEquals(Map.of(1, 0L, 2, 3L), log.epochCache.entries());
        assertEquals(new EpochEndOffset(2, 6), log.endOffsetForEpoch(2));
        List<String> lines = Files.readAllLines(dir.resolve("leader-epoch-checkpoint"));
        assertEquals(List.of("0", "2", "1 0", "2 3"), lines);
        log.close();
        open(Map.of());
        assertEquals(OptionalInt.of(2), log.latestEpoch());
        append(1, 7);
        assertEquals(new EpochEndOffset(2, 6), log.endOffsetForEpoch(3));
    }

    @Test
    void anEpochWithNothingInItIsReplacedByTheNextAndDroppedByATruncationAtTheLogEnd() throws Exception {
        open(Map.of());
        append(3, 1);
        log.assignLeaderEpoch(2); // led briefly, appended nothing
        log.assignLeaderEpoch(3); // again: epoch 2 held nothing, so epoch 3 replaces it
        assertEquals(Map.of(1, 0L, 3, 3L), log.epochCache.entries());
        log.truncateTo(3); // a follower again, told its log matches the leader's up to its end
        assertEquals(Map.of(1, 0L), log.epochCache.entries(), "the empty epoch at the log end is gone, as in Kafka");
        assertEquals(OptionalInt.of(1), log.latestEpoch(), "the follower names the epoch of its last batch again");
        assertEquals(3, log.logEndOffset(), "no record was removed");
        log.close();
        open(Map.of());
        assertEquals(Map.of(1, 0L), log.epochCache.entries(), "checkpointed");
    }

    @Test
    void epochCacheFollowsTheLogStartOffset() throws Exception {
        open(Map.of("segment.bytes", Integer.toString(Batches.batch(3, 50, 0).sizeInBytes())));
        append(3, 1);
        append(3, 2);
        append(3, 3);
        log.deleteRecordsBefore(4);
        assertEquals(Map.of(2, 4L, 3, 6L), log.epochCache.entries());
    }

    @Test
    void followerAppendFarAheadStartsANewSegmentSoRelativeOffsetsFit() throws Exception {
        open(Map.of());
        long far = 5L + Integer.MAX_VALUE;
        MemoryRecords batch = Batches.batch(2, 10, time.milliseconds());
        ((org.apache.kafka.common.record.internal.MutableRecordBatch) batch.batches().iterator().next()).setLastOffset(far + 1);
        log.appendAsFollower(batch);
        assertEquals(far + 2, log.logEndOffset());
        assertEquals(far, log.activeSegment().baseOffset());
        assertEquals(List.of(far, far + 1), Batches.offsets(log));
    }

    @Test
    void followerAppendKeepsOffsetsAndEpochsAndFeedsTheCache() throws Exception {
        open(Map.of());
        // a leader log elsewhere produces batches with offsets and epochs
        PartitionLog leader = PartitionLog.open(tmp.resolve("leader-0"), LogConfig.defaults(), time);
        leader.appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 4);
        leader.appendAsLeader(Batches.batch(2, 10, time.milliseconds()), 6);
        FetchSlice slice = leader.read(0, Integer.MAX_VALUE, leader.logEndOffset(), true);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(slice.records().sizeInBytes());
        for (RecordBatch b : slice.records().batches()) {
            b.writeTo(buf);
        }
        buf.flip();
        leader.close();
        AppendInfo info = log.appendAsFollower(MemoryRecords.readableRecords(buf));
        assertEquals(0, info.firstOffset());
        assertEquals(4, info.lastOffset());
        assertEquals(Map.of(4, 0L, 6, 3L), log.epochCache.entries());
        assertEquals(5, log.logEndOffset());
    }
}
