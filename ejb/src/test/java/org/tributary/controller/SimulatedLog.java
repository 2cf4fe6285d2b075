package org.tributary.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;

/**
 * The replicated metadata log as the controller sees it: entries as bytes with their offset (Raft
 * index, with occasional gaps as Raft's own entries take indexes) and term, a commit point, the
 * committed image after every committed prefix, and the pending image (committed plus the
 * uncommitted tail). A leader change drops the uncommitted tail. Not thread-safe.
 */
final class SimulatedLog {
    record Entry(long offset, long term, byte[] bytes) {
    }

    private final Random random;
    final List<Entry> entries = new ArrayList<>();
    /** committedImages.get(k) = the image after the first k entries. */
    final List<MetadataImage> committedImages = new ArrayList<>(List.of(MetadataImage.EMPTY));
    MetadataImage pending = MetadataImage.EMPTY;
    long term = 1;

    SimulatedLog(Random random) {
        this.random = random;
    }

    int committed() {
        return committedImages.size() - 1;
    }

    MetadataImage committedImage() {
        return committedImages.get(committed());
    }

    /** Appends a batch as one entry; returns its index. */
    int append(List<MetadataRecord> records) {
        long last = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).offset();
        long offset = last + 1 + (random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 0);
        byte[] bytes = MetadataCodec.encode(records);
        pending = MetadataDelta.apply(pending, MetadataCodec.decode(bytes), offset, term);
        entries.add(new Entry(offset, term, bytes));
        return entries.size() - 1;
    }

    /** Commits up to {@code count} more entries; returns how many. */
    int commit(int count) {
        int n = Math.min(count, entries.size() - committed());
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(committed());
            committedImages.add(MetadataDelta.apply(committedImage(), MetadataCodec.decode(e.bytes()), e.offset(), e.term()));
        }
        return n;
    }

    /** A new Raft leader: the uncommitted tail is gone, the term moves on. */
    void newLeader() {
        entries.subList(committed(), entries.size()).clear();
        term++;
        pending = committedImage();
    }

    /** The image after applying the first {@code count} committed entries to {@code image} (at {@code from}). */
    MetadataImage catchUp(MetadataImage image, int from, int count) {
        MetadataImage img = image;
        for (int i = from; i < from + count; i++) {
            Entry e = entries.get(i);
            img = MetadataDelta.apply(img, MetadataCodec.decode(e.bytes()), e.offset(), e.term());
        }
        return img;
    }
}
