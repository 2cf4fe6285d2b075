package org.tributary.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * A small text file replaced atomically: the new content goes to {@code <name>.tmp}, is fsynced, renamed
 * over the old file, and the directory is fsynced so the rename itself survives a crash. A reader
 * therefore sees either the old or the new content, never a mix. Format: first line a version
 * number ({@code 0}), then the caller's lines.
 */
final class CheckpointFile {
    static final String TMP_SUFFIX = ".tmp";
    private final Path path;

    CheckpointFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    void write(List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder("0\n");
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Path tmp = path.resolveSibling(path.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(path.getParent());
    }

    /** The lines after the version line; empty if the file does not exist. */
    Optional<List<String>> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.get(0).trim().equals("0")) {
            throw new IOException("unsupported checkpoint file " + path + ": version line " + (lines.isEmpty() ? "missing" : lines.get(0)));
        }
        return Optional.of(lines.subList(1, lines.size()));
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms/file systems cannot open a directory; rename durability is best effort there
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e;
            }
        }
    }
}
