package org.tributary.controller;

import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.testing.FakeTime;

/**
 * Drives a {@link ClusterController} the way the quorum will: every result's records become one
 * entry (through the codec) at the next offset, and commit at once. Not thread-safe.
 */
final class ControllerHarness {
    static final long SESSION_MS = 9000;

    final FakeTime time = new FakeTime(1_000_000);
    final Random random = new Random(7);
    ControllerConfig config = new ControllerConfig(SESSION_MS, 1, (short) 1, 10_000);
    ConfigValidator validator = ConfigValidator.ACCEPT_ALL;
    ClusterController controller = newController();
    MetadataImage image = MetadataImage.EMPTY;
    long term = 1;

    ClusterController newController() {
        return new ClusterController(config, (t, n, c) -> validator.validate(t, n, c),
                () -> new Uuid(random.nextLong(), random.nextLong()), time.milliseconds());
    }

    <T> T run(ControllerResult<T> r) {
        if (!r.records().isEmpty()) {
            List<MetadataRecord> batch = MetadataCodec.decode(MetadataCodec.encode(r.records()));
            image = MetadataDelta.apply(image, batch, image.offset() + 1, term);
        }
        return r.response();
    }

    /** A new controller (failover): fresh heartbeat memory, the same log. */
    void failover() {
        term++;
        controller = newController();
        run(new ControllerResult<>(ClusterController.activationRecords(), null));
    }

    int register(int id, String rack) {
        RegisterBrokerResponse r = run(controller.registerBroker(image, new RegisterBrokerRequest(id, Uuid.randomUuid(), "host",
                9092, 8080, rack, true), time.milliseconds()));
        if (!r.error().isSuccess()) {
            throw new AssertionError("registration failed: " + r.error());
        }
        return r.brokerId();
    }

    /** Registers and unfences a broker. */
    int start(int id, String rack) {
        int b = register(id, rack);
        heartbeat(b);
        return b;
    }

    long epoch(int id) {
        return broker(id).epoch();
    }

    BrokerRegistration broker(int id) {
        return image.broker(id).orElseThrow();
    }

    BrokerHeartbeatResponse heartbeat(int id) {
        return heartbeat(id, false, false);
    }

    BrokerHeartbeatResponse heartbeat(int id, boolean wantFence, boolean wantShutdown) {
        return run(controller.heartbeat(image, new BrokerHeartbeatRequest(id, epoch(id), image.offset(), wantFence, wantShutdown),
                time.milliseconds()));
    }

    Uuid createTopic(String name, int partitions, int rf) {
        CreateTopicResponse r = run(controller.createTopic(image, CreateTopicRequest.of(name, partitions, rf)));
        if (!r.error().isSuccess()) {
            throw new AssertionError("create failed: " + r.error());
        }
        return r.topicId();
    }

    PartitionRegistration partition(String topic, int p) {
        return image.topic(topic).orElseThrow().partition(p);
    }
}
