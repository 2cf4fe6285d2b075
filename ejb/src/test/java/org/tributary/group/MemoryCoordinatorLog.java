package org.tributary.group;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;

/** The offsets topic in memory: every append kept in order per partition; some partitions can be led "elsewhere". */
final class MemoryCoordinatorLog implements CoordinatorLog {
    final Map<Integer, List<Entry>> partitions = new HashMap<>();
    final Set<Integer> ledElsewhere = new HashSet<>();
    final Map<TopicPartition, Long> endOffsets = new HashMap<>();
    boolean failWrites;

    @Override
    public int partitionCount() {
        return 50;
    }

    @Override
    public boolean isLocalLeader(int partition) {
        return !ledElsewhere.contains(partition);
    }

    @Override
    public List<Integer> localPartitions() {
        List<Integer> out = new ArrayList<>(partitions.keySet());
        out.removeAll(ledElsewhere);
        return out;
    }

    @Override
    public synchronized void append(int partition, List<Entry> entries) throws IOException {
        if (failWrites) {
            throw new IOException("disk full");
        }
        partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(entries);
    }

    @Override
    public synchronized void replay(int partition, BiConsumer<byte[], byte[]> consumer) {
        partitions.getOrDefault(partition, List.of()).forEach(e -> consumer.accept(e.key(), e.value()));
    }

    @Override
    public OptionalLong endOffset(TopicPartition tp) {
        Long end = endOffsets.get(tp);
        return end == null ? OptionalLong.empty() : OptionalLong.of(end);
    }

    long tombstones() {
        return partitions.values().stream().flatMap(List::stream).filter(e -> e.value() == null).count();
    }
}
