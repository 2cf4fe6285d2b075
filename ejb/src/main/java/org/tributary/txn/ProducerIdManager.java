package org.tributary.txn;

import org.tributary.util.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;

/**
 * Hands out producer ids from blocks reserved cluster-wide (see
 * {@code ClusterView.allocateProducerIds}). The end of the last block is also kept in a local
 * file, and blocks below it are skipped, so a restarted single broker never reuses an id even when
 * its cluster view starts counting from scratch. Thread-safe.
 */
public final class ProducerIdManager {
    static final int BLOCK_SIZE = 1000;

    private final IntToLongFunction allocator;
    private final Path floorFile;
    private long floor;
    private long next;
    private long blockEnd;

    public ProducerIdManager(IntToLongFunction allocator, Path floorFile) throws IOException {
        this.allocator = allocator;
        this.floorFile = floorFile;
        this.floor = Files.exists(floorFile)
                ? Long.parseLong(Files.readString(floorFile, StandardCharsets.US_ASCII).trim()) : 0L;
    }

    public synchronized long nextProducerId() {
        if (next >= blockEnd) {
            long start = allocator.applyAsLong(BLOCK_SIZE);
            for (int tries = 0; start < floor && tries < 1_000_000; tries++) {
                start = allocator.applyAsLong(BLOCK_SIZE);
            }
            if (start < floor) {
                throw new IllegalStateException("producer id allocator keeps returning ids below " + floor);
            }
            next = start;
            blockEnd = start + BLOCK_SIZE;
            floor = blockEnd;
            persistFloor();
        }
        return next++;
    }

    private void persistFloor() {
        try {
            AtomicFile.write(floorFile, Long.toString(floor).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record producer id block in " + floorFile, e);
        }
    }
}
