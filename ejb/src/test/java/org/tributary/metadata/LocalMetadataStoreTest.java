package org.tributary.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataStoreTest {
    @TempDir
    Path dir;

    @Test
    void topicsSurviveReopenAndFailedChangesLeaveNoTrace() throws Exception {
        Uuid id = Uuid.randomUuid();
        List<Long> seen = new ArrayList<>();
        try (LocalMetadataStore s = LocalMetadataStore.open(dir)) {
            s.addListener(img -> seen.add(img.version()));
            s.update(img -> img.with(new TopicImage("orders", id, List.of(List.of(1), List.of(1)), Map.of("retention.ms", "1000"))));
            s.update(img -> img.with(new TopicImage("a=b weird", Uuid.randomUuid(), List.of(List.of(1, 2)), Map.of())));
            MetadataImage before = s.image();
            assertThrows(IllegalStateException.class, () -> s.update(img -> {
                throw new IllegalStateException("no");
            }));
            assertSame(before, s.image());
        }
        assertEquals(List.of(1L, 2L), seen);
        Files.writeString(dir.resolve(LocalMetadataStore.FILE + ".tmp"), "half-written garbage");
        try (LocalMetadataStore s = LocalMetadataStore.open(dir)) {
            TopicImage t = s.image().topic("orders").orElseThrow();
            assertEquals(id, t.id());
            assertEquals(2, t.partitionCount());
            assertEquals("1000", t.configs().get("retention.ms"));
            assertEquals(s.image().topic(id).orElseThrow(), t);
            assertEquals(List.of(1, 2), s.image().topic("a=b weird").orElseThrow().replicas(0));
            assertEquals(2, s.image().version());
        }
    }
}
