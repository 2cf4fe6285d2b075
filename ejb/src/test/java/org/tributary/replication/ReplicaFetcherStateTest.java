package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.partition.Partition;

/**
 * The follower keeps each partition's fetch state between rounds: an idle round lists nothing, and
 * once its log moves (an append in a new epoch, a truncation) the next request carries the new
 * fetch offset and last fetched epoch (KIP-320).
 */
class ReplicaFetcherStateTest {
    @TempDir
    Path tmp;
    private PartitionLog log;
    private ReplicaFetcher fetcher;

    @AfterEach
    void close() throws Exception {
        if (fetcher != null) {
            fetcher.shutdown();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void aRoundSendsTheFetchStateOfAPartitionWhoseLogMoved() throws Exception {
        Uuid topicId = Uuid.randomUuid();
        log = PartitionLog.open(tmp.resolve("t-0"), LogConfig.from(Map.of(), Map.of()), Time.SYSTEM);
        Partition p = Partition.open(new TopicPartition("t", 0), topicId, log, tmp.resolve("t-0.snapshot"), 2, List.of(1, 2));
        p.update(new PartitionRegistration(List.of(1, 2), List.of(1, 2), 1, 3, 0, List.of(), List.of()), System.currentTimeMillis());
        fetcher = new ReplicaFetcher(1, 2, () -> 1L, () -> MetadataImage.EMPTY, ReplicaFetcher.Settings.DEFAULTS, Time.SYSTEM);
        fetcher.add(p);

        FetchRequestData.FetchPartition full = only(fetcher.nextRequest());
        assertEquals(0, full.fetchOffset());
        assertEquals(-1, full.lastFetchedEpoch());
        assertEquals(3, full.currentLeaderEpoch());
        FetchResponseData answer = new FetchResponseData().setSessionId(9);
        answer.responses().add(new FetchResponseData.FetchableTopicResponse().setTopicId(topicId)
                .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(0))));
        assertTrue(fetcher.sessionAnswer(answer));
        assertEquals(0, fetcher.nextRequest().topics().size(), "nothing moved: the session already has it");
        assertTrue(fetcher.sessionAnswer(new FetchResponseData().setSessionId(9)));

        MemoryRecords batch = MemoryRecords.withRecords(0L, Compression.NONE, 3, new SimpleRecord(new byte[10]),
                new SimpleRecord(new byte[10]));
        p.appendAsFollower(batch, 2, 0, 3);
        FetchRequestData.FetchPartition moved = only(fetcher.nextRequest());
        assertEquals(2, moved.fetchOffset());
        assertEquals(3, moved.lastFetchedEpoch(), "the epoch of the batch just appended");
        assertTrue(fetcher.sessionAnswer(new FetchResponseData().setSessionId(9)));
        assertEquals(0, fetcher.nextRequest().topics().size());
        assertTrue(fetcher.sessionAnswer(new FetchResponseData().setSessionId(9)));

        p.truncateTo(0, 3);
        FetchRequestData.FetchPartition truncated = only(fetcher.nextRequest());
        assertEquals(0, truncated.fetchOffset());
        assertEquals(Optional.empty(), Optional.of(truncated.lastFetchedEpoch()).filter(e -> e >= 0), "an empty log has no last epoch");
    }

    private static FetchRequestData.FetchPartition only(FetchRequestData req) {
        assertEquals(1, req.topics().size());
        assertEquals(1, req.topics().get(0).partitions().size());
        return req.topics().get(0).partitions().get(0);
    }
}
