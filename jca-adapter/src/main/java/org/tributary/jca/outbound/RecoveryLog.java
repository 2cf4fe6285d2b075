package org.tributary.jca.outbound;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Which XA branch each transactional id may hold in doubt: one small file per transactional id,
 * {@code <transactional id>.xa} holding the encoded Xid. It is written (and forced to disk) before
 * the producer prepares, and removed once the branch is committed or rolled back, so after a crash
 * every transaction the broker kept open for one of our ids has its Xid here. Kafka itself only
 * knows the transactional id and the producer id and epoch (KIP-939 leaves recording the Xid to the
 * external coordinator's resource manager, which is this adapter). Once prepared, the record's
 * second line holds the prepared state ({@code producerId:epoch}, KIP-939's PreparedTxnState), so
 * recovery completes only the transaction it prepared (KIP-939's {@code completeTransaction} rule).
 */
final class RecoveryLog {
    private static final Logger LOG = Logger.getLogger(RecoveryLog.class.getName());
    private static final String SUFFIX = ".xa";

    private final Path dir;

    RecoveryLog(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** One record: the branch, and the prepared state once the producer prepared it. */
    record Entry(XidValue xid, TwoPhase.State prepared) {
    }

    synchronized void record(String transactionalId, XidValue xid) {
        write(transactionalId, xid.encode() + "\n");
    }

    synchronized void prepared(String transactionalId, XidValue xid, TwoPhase.State state) {
        write(transactionalId, xid.encode() + "\n" + state + "\n");
    }

    private void write(String transactionalId, String text) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(transactionalId + SUFFIX + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file(transactionalId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the XA recovery record of " + transactionalId + " in " + dir, e);
        }
    }

    synchronized void forget(String transactionalId) {
        try {
            Files.deleteIfExists(file(transactionalId));
        } catch (IOException e) {
            LOG.warning("TRIB-JCA-060 cannot remove the XA recovery record of " + transactionalId + ": " + e);
        }
    }

    synchronized boolean holds(String transactionalId) {
        return Files.exists(file(transactionalId));
    }

    /** Transactional id to record, for every branch that may be in doubt. */
    synchronized Map<String, Entry> entries() {
        Map<String, Entry> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String tid = name.substring(0, name.length() - SUFFIX.length());
                try {
                    String[] lines = Files.readString(f, StandardCharsets.UTF_8).strip().split("\n");
                    TwoPhase.State state = null;
                    if (lines.length > 1) {
                        String[] pe = lines[1].trim().split(":");
                        state = new TwoPhase.State(Long.parseLong(pe[0]), Short.parseShort(pe[1]));
                    }
                    out.put(tid, new Entry(XidValue.decode(lines[0]), state));
                } catch (IOException | RuntimeException e) {
                    LOG.warning("TRIB-JCA-061 unreadable XA recovery record " + f + " is skipped: " + e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the XA recovery records in " + dir, e);
        }
        return out;
    }

    private Path file(String transactionalId) {
        return dir.resolve(transactionalId + SUFFIX);
    }

    private void forceDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can open a directory; the file itself was forced
        }
    }
}
