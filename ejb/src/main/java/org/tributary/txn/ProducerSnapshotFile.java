package org.tributary.txn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;
import org.tributary.util.AtomicFile;

/**
 * The producer-state snapshot file of one partition: magic "TRPS", a format, the offset the state
 * was taken at, then per producer its id and epoch, (format 2) coordinator epoch, open
 * transaction's first offset and last timestamp, and its cached batches; a CRC32C of everything
 * last. Written atomically; format 1 (idempotence only) is still read. Stateless.
 */
final class ProducerSnapshotFile {
    private static final int MAGIC = 0x54525053; // "TRPS"
    private static final short FORMAT_IDEMPOTENT = 1;
    /** Adds coordinator epoch, open transaction's first offset and last timestamp per producer. */
    private static final short FORMAT = 2;

    /** What a snapshot holds. */
    record Loaded(long mapEndOffset, List<ProducerEntry> producers) {
    }

    private ProducerSnapshotFile() {
    }

    static void write(Path file, long mapEndOffset, Collection<ProducerEntry> producers) throws IOException {
        AtomicFile.write(file, encode(mapEndOffset, producers));
    }

    /** The bytes of a snapshot (body then CRC32C), for writers that choose when to fsync. */
    static byte[] encode(long mapEndOffset, Collection<ProducerEntry> producers) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeShort(FORMAT);
            out.writeLong(mapEndOffset);
            out.writeInt(producers.size());
            for (ProducerEntry e : producers) {
                out.writeLong(e.producerId());
                out.writeShort(e.epoch());
                out.writeInt(e.coordinatorEpoch());
                out.writeLong(e.currentTxnFirstOffset());
                out.writeLong(e.lastTimestamp());
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
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    static Loaded read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 4) {
            throw new IOException("snapshot too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            throw new IOException("snapshot checksum mismatch");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a producer state snapshot");
            }
            short format = in.readShort();
            if (format != FORMAT && format != FORMAT_IDEMPOTENT) {
                throw new IOException("unknown producer state snapshot format " + format);
            }
            long end = in.readLong();
            int count = in.readInt();
            List<ProducerEntry> loaded = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ProducerEntry e = new ProducerEntry(in.readLong(), in.readShort());
                if (format == FORMAT) {
                    e.restore(in.readInt(), in.readLong(), in.readLong());
                }
                int n = in.readInt();
                for (int j = 0; j < n; j++) {
                    e.add(e.epoch(), new BatchMetadata(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong()));
                }
                loaded.add(e);
            }
            return new Loaded(end, loaded);
        }
    }
}
