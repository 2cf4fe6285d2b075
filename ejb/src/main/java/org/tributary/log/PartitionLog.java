package org.tributary.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

/** One partition's log. Thread-safe: appends/truncation/roll serialized by an internal lock; reads run concurrently with appends. */
public final class PartitionLog implements Closeable {
    private PartitionLog() {
    }

    public static PartitionLog open(Path partitionDir, LogConfig config, Time time) throws IOException {
        throw new UnsupportedOperationException();
    }

    public AppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) throws IOException {
        throw new UnsupportedOperationException();
    }

    public AppendInfo appendAsFollower(MemoryRecords records) throws IOException {
        throw new UnsupportedOperationException();
    }

    public FetchSlice read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) throws IOException {
        throw new UnsupportedOperationException();
    }

    public long logStartOffset() {
        throw new UnsupportedOperationException();
    }

    public long logEndOffset() {
        throw new UnsupportedOperationException();
    }

    public long sizeInBytes() {
        throw new UnsupportedOperationException();
    }

    public int segmentCount() {
        throw new UnsupportedOperationException();
    }

    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) throws IOException {
        throw new UnsupportedOperationException();
    }

    public Optional<TimestampOffset> maxTimestampAndOffset() {
        throw new UnsupportedOperationException();
    }

    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        throw new UnsupportedOperationException();
    }

    public OptionalInt latestEpoch() {
        throw new UnsupportedOperationException();
    }

    public void truncateTo(long offset) throws IOException {
        throw new UnsupportedOperationException();
    }

    public long deleteRecordsBefore(long offset) throws IOException {
        throw new UnsupportedOperationException();
    }

    public Iterable<? extends RecordBatch> batchesFrom(long offset) throws IOException {
        throw new UnsupportedOperationException();
    }

    public void updateConfig(LogConfig config) {
        throw new UnsupportedOperationException();
    }

    public LogConfig config() {
        throw new UnsupportedOperationException();
    }

    public void flush() throws IOException {
        throw new UnsupportedOperationException();
    }

    public int deleteExpiredSegments() throws IOException {
        throw new UnsupportedOperationException();
    }

    public CleanResult compact() throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException();
    }

    public void delete() throws IOException {
        throw new UnsupportedOperationException();
    }
}
