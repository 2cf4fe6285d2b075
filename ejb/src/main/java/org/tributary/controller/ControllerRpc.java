package org.tributary.controller;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.message.ApiMessageType;

/**
 * The wire form of requests that brokers send to the active controller over the quorum's own
 * transport, and of the controller's answers: Kafka's own controller messages
 * ({@code BrokerRegistration}, {@code BrokerHeartbeat}, {@code AllocateProducerIds},
 * {@code AlterPartition}, {@code CreateTopics}, ...), each framed as
 * {@code int16 apiKey, int16 version, body} at the message's highest version.
 *
 * <p>Stateless and thread-safe.
 */
public final class ControllerRpc {
    private ControllerRpc() {
    }

    /** Frames {@code message} (a request or a response). */
    public static byte[] encode(ApiMessage message) {
        short version = message.highestSupportedVersion();
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = message.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putShort(message.apiKey());
        buf.putShort(version);
        message.write(new ByteBufferAccessor(buf), cache, version);
        return buf.array();
    }

    /** Reads a framed request; damaged input is an {@link IllegalArgumentException} naming the problem. */
    public static ApiMessage decodeRequest(byte[] bytes) {
        return decode(bytes, true);
    }

    /** Reads a framed response; damaged input is an {@link IllegalArgumentException} naming the problem. */
    public static ApiMessage decodeResponse(byte[] bytes) {
        return decode(bytes, false);
    }

    private static ApiMessage decode(byte[] bytes, boolean request) {
        if (bytes == null || bytes.length < 4) {
            throw new IllegalArgumentException("controller message is too short (" + (bytes == null ? 0 : bytes.length) + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        short key = buf.getShort();
        short version = buf.getShort();
        ApiMessageType type;
        try {
            type = ApiMessageType.fromApiKey(key);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("controller message has an unknown API key " + key, e);
        }
        ApiMessage m = request ? type.newRequest() : type.newResponse();
        if (version < m.lowestSupportedVersion() || version > m.highestSupportedVersion()) {
            throw new IllegalArgumentException("controller message " + type + " has unsupported version " + version);
        }
        try {
            m.read(new ByteBufferAccessor(buf), version);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("controller message " + type + " v" + version + " is damaged: " + e.getMessage(), e);
        }
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException("controller message " + type + " v" + version + " has " + buf.remaining() + " trailing bytes");
        }
        return m;
    }
}
