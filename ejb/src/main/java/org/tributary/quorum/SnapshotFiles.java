package org.tributary.quorum;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Snapshot files in Ratis's {@link SimpleStateMachineStorage} layout ({@code sm/snapshot.<term>_<index>}
 * plus its {@code .md5}), so Ratis can purge the log behind them and install them on followers.
 *
 * <p>File content: magic {@code TRQS}, format version, index, term, then the state machine's
 * bytes. Written atomically: temp file, fsync, rename, directory fsync, then the MD5 file (Ratis
 * only sees a snapshot whose MD5 file exists, so a crash at any point leaves the previous one).
 * Stateless; callers serialize access.
 */
final class SnapshotFiles {
    private static final int MAGIC = 0x54525153; // "TRQS"
    private static final int VERSION = 1;

    /** Writes the state machine's bytes as of {@code at} and returns the snapshot's description. */
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Reads the state machine's bytes. */
    interface Reader {
        void read(InputStream in, long index, long term) throws IOException;
    }

    private SnapshotFiles() {
    }

    static SingleFileSnapshotInfo write(SimpleStateMachineStorage storage, TermIndex at, Writer writer)
            throws IOException {
        File target = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        Path tmp = target.toPath().resolveSibling(target.getName() + ".writing");
        try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(fos, 64 * 1024))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(at.getIndex());
            out.writeLong(at.getTerm());
            writer.write(new NonClosing(out));
            out.flush();
            fos.getChannel().force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.toPath().getParent());
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        SingleFileSnapshotInfo info = new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), at);
        storage.updateLatestSnapshot(info);
        return info;
    }

    /** Checks the MD5 and header, then hands the state machine's bytes to {@code reader}. */
    static void read(SingleFileSnapshotInfo info, Reader reader) throws IOException {
        File file = info.getFile().getPath().toFile();
        if (info.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, info.getFile().getFileDigest());
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath()), 64 * 1024))) {
            int magic = in.readInt();
            int version = in.readInt();
            long index = in.readLong();
            long term = in.readLong();
            if (magic != MAGIC || version != VERSION) {
                throw new IOException("Not a Tributary quorum snapshot (magic " + Integer.toHexString(magic) + ", version "
                        + version + "): " + file);
            }
            if (index != info.getIndex() || term != info.getTerm()) {
                throw new IOException("Snapshot " + file + " holds index " + index + " term " + term
                        + " but its name says " + info.getTermIndex());
            }
            reader.read(in, index, term);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }

    /** Keeps the state machine from closing the file before it is fsynced. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
