package org.tributary.txn;

import org.tributary.util.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Idempotent-producer state of one partition (KIP-98): per producer id the epoch and the last
 * batches written. Before an append, {@link #validate} finds duplicates and rejects gaps and old
 * epochs; after it, {@link #record} remembers the batch. Survives restarts through a snapshot
 * file plus a scan of the log written after it ({@link #recover}).
 *
 * <p>Not thread-safe: callers hold the partition's append lock.
 */
public final class ProducerStateManager {
    private static final int MAGIC = 0x54525053; // "TRPS"
    private static final short FORMAT = 1;

    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    private long mapEndOffset;
    private boolean dirty;

    /** The outcome of validating one batch. */
    public record Check(Optional<BatchMetadata> duplicate) {
        static final Check OK = new Check(Optional.empty());
    }

    /**
     * Checks one batch against the state. Returns the original placement of a duplicate; throws
     * {@link InvalidProducerEpochException} for an older epoch and
     * {@link OutOfOrderSequenceException} for a sequence gap. Batches without a producer id pass.
     */
    public Check validate(RecordBatch batch) {
        return validate(batch, producers.get(batch.producerId()));
    }

    /**
     * Validates the batches of one append in order, each against the state the earlier ones would
     * leave. A duplicate is reported when the append's first batch is one (clients send one batch
     * per partition); later batches must then be duplicates too or in sequence.
     */
    public Check validateAll(List<? extends RecordBatch> batches) {
        Map<Long, ProducerEntry> staged = new HashMap<>();
        Check first = null;
        for (RecordBatch b : batches) {
            if (!b.hasProducerId()) {
                if (first == null) {
                    first = Check.OK;
                }
                continue;
            }
            ProducerEntry e = staged.computeIfAbsent(b.producerId(), id -> {
                ProducerEntry cur = producers.get(id);
                return cur == null ? null : cur.copy();
            });
            Check c = validate(b, e);
            if (first == null) {
                first = c;
            }
            if (c.duplicate().isEmpty()) {
                ProducerEntry target = e != null ? e : new ProducerEntry(b.producerId(), b.producerEpoch());
                target.add(b.producerEpoch(), new BatchMetadata(b.baseSequence(), b.lastSequence(), -1, -1, -1));
                staged.put(b.producerId(), target);
            }
        }
        return first == null ? Check.OK : first;
    }

    private static Check validate(RecordBatch batch, ProducerEntry entry) {
        if (!batch.hasProducerId()) {
            return Check.OK;
        }
        long pid = batch.producerId();
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence();
        int lastSeq = batch.lastSequence();
        if (entry == null) {
            return Check.OK; // unknown producer (new, or its state was removed with old data): accept
        }
        if (epoch < entry.epoch()) {
            throw new InvalidProducerEpochException("Producer " + pid + " epoch " + epoch
                    + " is older than the current epoch " + entry.epoch());
        }
        Optional<BatchMetadata> dup = entry.findDuplicate(epoch, firstSeq, lastSeq);
        if (dup.isPresent()) {
            return new Check(dup);
        }
        if (epoch > entry.epoch()) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("Invalid sequence number for new epoch of producer " + pid
                        + ": " + epoch + " (request epoch), " + firstSeq + " (seq. number), expected 0");
            }
            return Check.OK;
        }
        int last = entry.lastSeq();
        if (last == -1 ? firstSeq != 0 : !inSequence(last, firstSeq)) {
            throw new OutOfOrderSequenceException("Out of order sequence number for producer " + pid + " at epoch "
                    + epoch + ": " + firstSeq + " (incoming seq. number), " + last + " (current end sequence number)");
        }
        return Check.OK;
    }

    private static boolean inSequence(int last, int next) {
        return next == last + 1 || (next == 0 && last == Integer.MAX_VALUE);
    }

    /** Remembers a batch written at {@code firstOffset..lastOffset}. */
    public void record(RecordBatch batch, long firstOffset, long lastOffset) {
        if (batch.hasProducerId()) {
            long pid = batch.producerId();
            producers.computeIfAbsent(pid, id -> new ProducerEntry(id, batch.producerEpoch()))
                    .add(batch.producerEpoch(), new BatchMetadata(batch.baseSequence(), batch.lastSequence(),
                            firstOffset, lastOffset, batch.maxTimestamp()));
            dirty = true;
        }
        mapEndOffset = Math.max(mapEndOffset, lastOffset + 1);
    }

    /**
     * Forgets producers whose last batch is older than {@code expirationMs} (Kafka's
     * {@code producer.id.expiration.ms}); returns how many were removed.
     */
    public int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(e -> {
            List<BatchMetadata> b = e.batches();
            return !b.isEmpty() && nowMs - b.get(b.size() - 1).timestamp() > expirationMs;
        });
        int removed = before - producers.size();
        if (removed > 0) {
            dirty = true;
        }
        return removed;
    }

    /** The offset up to which (exclusive) the log has been applied. */
    public long mapEndOffset() {
        return mapEndOffset;
    }

    public Optional<ProducerEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    public int producerCount() {
        return producers.size();
    }

    public boolean dirty() {
        return dirty;
    }

    /**
     * Loads the snapshot (when present and not beyond the log end; one beyond it is deleted), then
     * applies every batch of the log from where the snapshot ends. {@code batchesFrom} reads the
     * log from an offset.
     */
    public void recover(Path snapshot, long logStartOffset, long logEndOffset, BatchSource batchesFrom) throws IOException {
        producers.clear();
        mapEndOffset = logStartOffset;
        if (Files.exists(snapshot)) {
            boolean beyondLog = false;
            try {
                long end = readSnapshot(snapshot);
                if (end > logEndOffset) {
                    producers.clear(); // log lost data after the snapshot: rebuild from the log
                    beyondLog = true;
                } else {
                    mapEndOffset = Math.max(end, logStartOffset);
                }
            } catch (IOException | RuntimeException e) {
                producers.clear();
            }
            if (beyondLog) {
                // it describes records the log no longer holds: a later recovery, once the log has grown past its end
                // again (other records at those offsets), must not load it
                Files.delete(snapshot);
            }
        }
        if (mapEndOffset < logEndOffset) {
            long from = mapEndOffset;
            for (RecordBatch b : batchesFrom.batchesFrom(from)) {
                if (b.lastOffset() < from) {
                    continue;
                }
                record(b, b.baseOffset(), b.lastOffset());
            }
        }
        mapEndOffset = Math.max(mapEndOffset, logEndOffset);
        dirty = true;
    }

    /** Reads the log from an offset (whole batches, the first one containing the offset). */
    @FunctionalInterface
    public interface BatchSource {
        Iterable<? extends RecordBatch> batchesFrom(long offset) throws IOException;
    }

    /** Writes a snapshot of the state as of {@link #mapEndOffset()} (atomically). */
    public void writeSnapshot(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeShort(FORMAT);
            out.writeLong(mapEndOffset);
            out.writeInt(producers.size());
            for (ProducerEntry e : producers.values()) {
                out.writeLong(e.producerId());
                out.writeShort(e.epoch());
                List<BatchMetadata> batches = e.batches();
                out.writeInt(batches.size());
                for (BatchMetadata b : batches) {
                    out.writeInt(b.firstSeq());
                    out.writeInt(b.lastSeq());
                    out.writeLong(b.firstOffset());
                    out.writeLong(b.lastOffset());
                    out.writeLong(b.timestamp());
                }
            }
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] all = ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
        AtomicFile.write(file, all);
        dirty = false;
    }

    private long readSnapshot(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 4) {
            throw new IOException("snapshot too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            throw new IOException("snapshot checksum mismatch");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 4))) {
            if (in.readInt() != MAGIC || in.readShort() != FORMAT) {
                throw new IOException("not a producer state snapshot");
            }
            long end = in.readLong();
            int count = in.readInt();
            List<ProducerEntry> loaded = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ProducerEntry e = new ProducerEntry(in.readLong(), in.readShort());
                int n = in.readInt();
                for (int j = 0; j < n; j++) {
                    e.add(e.epoch(), new BatchMetadata(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong()));
                }
                loaded.add(e);
            }
            loaded.forEach(e -> producers.put(e.producerId(), e));
            return end;
        }
    }
}
