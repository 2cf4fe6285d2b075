package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long-poll fetch waits without reading: waking it (an append or a moved high watermark on any of
 * its partitions, a metadata change) compares offsets it already knows, and only the answer reads
 * the logs, once. An append that brings min.bytes completes it with that partition's records.
 */
class DelayedFetchTest {
    @TempDir
    Path tmp;

    @Test
    void aWaitingConsumerFetchIsCheckedAgainWithoutReadingTheLogs() throws Exception {
        try (FetchFixture f = new FetchFixture(tmp, 20, 10, List.of(1))) {
            List<TopicPartition> all = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                for (int p = 0; p < 10; p++) {
                    all.add(f.tp(t, p));
                }
            }
            for (int i = 0; i < 50; i++) {
                f.append(all.get(i * 4), 1, 100); // some data, far below min.bytes
            }
            long before = f.handler.logReads();
            CompletableFuture<FetchResponseData> answer = f.send(f.fetchAll(0, r -> r.setMinBytes(100_000).setMaxWaitMs(60_000)));
            assertFalse(answer.isDone(), "50 small batches are below min.bytes: the fetch waits");
            long afterFirstRead = f.handler.logReads();
            assertEquals(50, afterFirstRead - before, "the first read reads the partitions with data");
            for (int round = 0; round < 100; round++) {
                f.replicas.fetchPurgatory().checkAndComplete(all.get((round * 7) % all.size()));
                f.replicas.fetchPurgatory().checkAndComplete(all.subList(0, 30));
            }
            assertFalse(answer.isDone());
            assertEquals(afterFirstRead, f.handler.logReads(), "200 wakes with nothing new read no log");

            TopicPartition grown = all.get(1);
            f.append(grown, 2, 60_000);
            FetchResponseData resp = answer.get(10, TimeUnit.SECONDS);
            assertTrue(f.handler.logReads() - afterFirstRead <= 2 * 51, "the answer reads the 51 partitions with data, about once");
            assertEquals(Errors.NONE.code(), resp.errorCode());
            int withRecords = 0;
            long grownBytes = 0;
            for (FetchResponseData.FetchableTopicResponse tr : resp.responses()) {
                for (FetchResponseData.PartitionData pd : tr.partitions()) {
                    assertEquals(Errors.NONE.code(), pd.errorCode());
                    int size = pd.records().sizeInBytes();
                    withRecords += size > 0 ? 1 : 0;
                    if (tr.topicId().equals(f.topicList.get(0).id()) && pd.partitionIndex() == grown.partition()) {
                        grownBytes = size;
                    }
                }
            }
            assertEquals(51, withRecords);
            assertTrue(grownBytes >= 120_000, "the appended partition's records are in the answer: " + grownBytes);
        }
    }

    @Test
    void aWaitingFollowerFetchCompletesWithThePartitionAppendedTo() throws Exception {
        try (FetchFixture f = new FetchFixture(tmp, 30, 10, List.of(1, 2))) {
            CompletableFuture<FetchResponseData> answer = f.send(f.fetchAll(0, r -> {
                r.replicaState().setReplicaId(2).setReplicaEpoch(-1);
                r.setMinBytes(1).setMaxWaitMs(60_000).setSessionEpoch(0);
            }));
            assertFalse(answer.isDone(), "every partition caught up: the follower's fetch waits");
            assertEquals(0, f.replicas.partition(f.tp(3, 3)).orElseThrow().followerLogEndOffset(2),
                    "the follower's progress is recorded when its fetch arrives");
            long reads = f.handler.logReads();
            for (int round = 0; round < 300; round++) {
                f.replicas.fetchPurgatory().checkAndComplete(f.tp(round % 30, round % 10));
            }
            assertFalse(answer.isDone());
            assertEquals(reads, f.handler.logReads());

            f.append(f.tp(7, 4), 3, 10);
            FetchResponseData resp = answer.get(10, TimeUnit.SECONDS);
            assertTrue(resp.sessionId() != 0, "a full fetch opens a session");
            int partitions = 0;
            for (FetchResponseData.FetchableTopicResponse tr : resp.responses()) {
                for (FetchResponseData.PartitionData pd : tr.partitions()) {
                    partitions++;
                    boolean appended = tr.topicId().equals(f.topicList.get(7).id()) && pd.partitionIndex() == 4;
                    assertEquals(appended, pd.records().sizeInBytes() > 0, tr.topicId() + "-" + pd.partitionIndex());
                    assertEquals(0, pd.highWatermark(), "the follower has not fetched the new records yet");
                }
            }
            assertEquals(300, partitions, "a full session's first answer lists every partition");
            assertEquals(1, f.handler.logReads() - reads, "the answer reads the one partition with data");
        }
    }
}
