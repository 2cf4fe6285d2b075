package org.tributary.api;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;

/** Reads the topics of a consumer's subscription (the "consumer" protocol type's member metadata). */
public final class ConsumerSubscriptions {
    private ConsumerSubscriptions() {
    }

    public static Set<String> topics(byte[] metadata) {
        return new HashSet<>(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
    }
}
