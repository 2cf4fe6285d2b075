package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.log.LogConfig;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.partition.Partition;

/**
 * The follower side of KIP-227 against a stand-in leader: the first fetch is full and opens a
 * session, idle fetches in it list no partitions, and when the leader has lost the session
 * (FETCH_SESSION_ID_NOT_FOUND) the next fetch is full again and opens a new one.
 */
@Timeout(60)
class ReplicaFetcherSessionTest {
    /** One request as the leader saw it. */
    private record Seen(int sessionId, int epoch, int partitions) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private ReplicaFetcher fetcher;
    private final List<PartitionLog> logs = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws IOException {
        if (fetcher != null) {
            fetcher.shutdown();
        }
        if (server != null) {
            server.close();
        }
        for (PartitionLog l : logs) {
            l.close();
        }
    }

    @Test
    void idleFetchesListNoPartitionsAndASessionErrorFallsBackToAFullFetch() throws Exception {
        Uuid topicId = Uuid.randomUuid();
        int port = leader();
        MetadataImage image = MetadataDelta.apply(MetadataImage.EMPTY, List.of(
                new MetadataRecord.RegisterBrokerRecord(1, Uuid.randomUuid(), 1L, "127.0.0.1", port, 0, null, false, false, null)), 0, 0);
        fetcher = new ReplicaFetcher(1, 2, () -> 1L, () -> image,
                new ReplicaFetcher.Settings(20, 1, 1_048_576, 10_485_760, 50L, 5_000, org.tributary.network.InterBroker.PLAINTEXT),
                Time.SYSTEM);
        Path dir = Files.createTempDirectory("fetch-session");
        for (int i = 0; i < 2; i++) {
            PartitionLog log = PartitionLog.open(dir.resolve("t-" + i), LogConfig.from(Map.of(), Map.of()), Time.SYSTEM);
            logs.add(log);
            Partition p = Partition.open(new TopicPartition("t", i), topicId, log, dir.resolve("t-" + i + ".snapshot"), 2, List.of(1, 2));
            p.update(new PartitionRegistration(List.of(1, 2), List.of(1, 2), 1, 0, 0, List.of(), List.of()), System.currentTimeMillis());
            fetcher.add(p);
        }
        Thread t = new Thread(fetcher, "fetcher-under-test");
        t.setDaemon(true);
        t.start();
        await(() -> seen.size() >= 8 && fetcher.sessionId() == 43);
        assertEquals(new Seen(0, 0, 2), seen.get(0), "the first fetch is full");
        for (int i = 1; i <= 4; i++) {
            assertEquals(new Seen(42, i, 0), seen.get(i), "idle fetches in the session list no partitions");
        }
        assertEquals(new Seen(42, 5, 0), seen.get(5), "the leader has lost the session");
        assertEquals(new Seen(0, 0, 2), seen.get(6), "after FETCH_SESSION_ID_NOT_FOUND the fetch is full again, at once");
        assertEquals(new Seen(43, 1, 0), seen.get(7), "and the new session is used");
    }

    /** A stand-in leader: sessions 42, 43, ...; it forgets the session at the fourth incremental fetch. */
    private int leader() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            int nextSession = 42;
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    ByteBuffer buf = ByteBuffer.wrap(frame);
                    RequestHeader h = RequestHeader.parse(buf);
                    FetchRequestData req = new FetchRequestData(new ByteBufferAccessor(buf), h.apiVersion());
                    int parts = req.topics().stream().mapToInt(x -> x.partitions().size()).sum();
                    seen.add(new Seen(req.sessionId(), req.sessionEpoch(), parts));
                    FetchResponseData resp = new FetchResponseData();
                    if (req.sessionEpoch() == 0) {
                        resp.setSessionId(nextSession++);
                        for (FetchRequestData.FetchTopic ft : req.topics()) {
                            FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse().setTopicId(ft.topicId());
                            ft.partitions().forEach(fp -> tr.partitions().add(new FetchResponseData.PartitionData()
                                    .setPartitionIndex(fp.partition()).setHighWatermark(0).setLogStartOffset(0).setLastStableOffset(0)
                                    .setRecords(MemoryRecords.EMPTY)));
                            resp.responses().add(tr);
                        }
                    } else if (req.sessionId() == 42 && req.sessionEpoch() == 5) {
                        resp.setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0);
                    } else {
                        resp.setSessionId(req.sessionId());
                        Thread.sleep(10);
                    }
                    ByteBuffer payload = RequestUtils.serialize(h.toResponseHeader().data(), h.toResponseHeader().headerVersion(), resp,
                            h.apiVersion());
                    byte[] framed = new byte[4 + payload.remaining()];
                    ByteBuffer.wrap(framed).putInt(payload.remaining()).put(payload);
                    out.write(framed);
                    out.flush();
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                // closed by the test
            }
        }, "stand-in-leader");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
