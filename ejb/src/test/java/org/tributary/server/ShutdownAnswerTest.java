package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.tributary.api.ApiDispatcher;
import org.tributary.api.ApiRegistry;
import org.tributary.metadata.MetadataImage;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.network.ListenerAddress;
import org.tributary.network.SocketServer;

/**
 * A request whose last step runs after the broker stopped its request handlers (a transaction
 * coordinator's verification answering while the broker shuts down) is not answered: its connection
 * is closed, so the client retries elsewhere. Answering UNKNOWN_SERVER_ERROR would put a
 * transactional producer into its fatal error state (a transactional copy failed that way when a
 * broker was crashed under it).
 */
class ShutdownAnswerTest {

    @Test
    void aRequestFinishingAfterTheHandlersStoppedClosesItsConnectionInsteadOfAnsweringAnUnknownError() throws Exception {
        ExecutorService handlers = Executors.newFixedThreadPool(2);
        CompletableFuture<Void> verification = new CompletableFuture<>();
        CountDownLatch handled = new CountDownLatch(1);
        ApiRegistry registry = new ApiRegistry().register(ApiKeys.TXN_OFFSET_COMMIT, 0, ApiKeys.TXN_OFFSET_COMMIT.latestVersion(),
                (ctx, request) -> {
                    handled.countDown();
                    // as TxnOffsetCommit goes on after the transaction coordinator's answer: on the handler pool
                    return verification.thenApplyAsync(v -> (ApiMessage) new TxnOffsetCommitResponseData(), handlers);
                });
        ApiDispatcher dispatcher = new ApiDispatcher(registry, handlers, () -> MetadataImage.EMPTY, new BrokerMetrics(System::currentTimeMillis));
        try (SocketServer server = new SocketServer(List.of(new ListenerAddress("PLAINTEXT", "127.0.0.1", 0, SecurityProtocol.PLAINTEXT, null)),
                1, 1 << 20, 60_000, dispatcher::onRequest, Thread::new)) {
            int port = server.bind().get("PLAINTEXT");
            server.start();
            try (RawClient client = new RawClient(port)) {
                client.sendOnly(new TxnOffsetCommitRequest.Builder(new TxnOffsetCommitRequestData().setTransactionalId("copier")
                        .setGroupId("g").setProducerId(7).setProducerEpoch((short) 0)).build((short) 3));
                assertTrue(handled.await(10, TimeUnit.SECONDS), "the request reached its handler");
                handlers.shutdown(); // the broker stops: its request handlers take no more work
                verification.complete(null);
                assertTrue(client.closedByBroker(), "the connection is closed, not answered with an error the client cannot retry");
            }
        } finally {
            handlers.shutdownNow();
        }
    }
}
