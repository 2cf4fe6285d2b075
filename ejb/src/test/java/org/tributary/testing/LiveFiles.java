package org.tributary.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/**
 * Looks at a directory that a running node is writing to: files may be created, renamed or deleted during the walk
 * (Ratis snapshots, log segments), and a file or directory gone mid-walk is simply not counted.
 */
public final class LiveFiles {
    private LiveFiles() {
    }

    /** The number of regular files under {@code root} whose name matches. */
    public static long count(Path root, Predicate<String> name) throws IOException {
        long[] n = {0};
        walk(root, name, n, false);
        return n[0];
    }

    /** The number of files or directories under {@code root} whose name matches. */
    public static long countIncludingDirectories(Path root, Predicate<String> name) throws IOException {
        long[] n = {0};
        walk(root, name, n, true);
        return n[0];
    }

    private static void walk(Path root, Predicate<String> name, long[] n, boolean directories) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (directories && !dir.equals(root) && name.test(dir.getFileName().toString())) {
                    n[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (name.test(file.getFileName().toString())) {
                    n[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // removed while walking
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                return FileVisitResult.CONTINUE; // a directory removed while walking
            }
        });
    }
}
