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
    /** The listener name under which a broker registers its HTTP (admin API, console) port. */
    public static final String HTTP_LISTENER = "TRIBUTARY_HTTP";
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

    /**
     * The controller's answer: the response and the log offset the broker must have applied before
     * it acts on it; or (response null) "not the active controller", to be retried on the leader.
     */
    public record Answer(long offset, ApiMessage response) {
        public boolean notActive() {
            return response == null;
        }
    }

    private static final byte ANSWER = 0;
    private static final byte NOT_ACTIVE = 1;

    /**
     * Frames an answer as {@code int8 0, int64 offset} + the framed response. The offset is the
     * metadata log offset of the records the request wrote (or the controller's latest when it wrote
     * none), so the asking broker can wait until its own image has them: read-your-writes on every
     * broker.
     */
    public static byte[] encodeAnswer(long offset, ApiMessage response) {
        byte[] body = encode(response);
        return ByteBuffer.allocate(9 + body.length).put(ANSWER).putLong(offset).put(body).array();
    }

    /** The answer of a member that is not (or no longer, or not yet) the active controller. */
    public static byte[] encodeNotActive() {
        return new byte[] {NOT_ACTIVE};
    }

    public static Answer decodeAnswer(byte[] bytes) {
        if (bytes != null && bytes.length == 1 && bytes[0] == NOT_ACTIVE) {
            return new Answer(-1, null);
        }
        if (bytes == null || bytes.length < 13 || bytes[0] != ANSWER) {
            throw new IllegalArgumentException("controller answer is damaged (" + (bytes == null ? 0 : bytes.length) + " bytes)");
        }
        long offset = ByteBuffer.wrap(bytes, 1, 8).getLong();
        return new Answer(offset, decodeResponse(java.util.Arrays.copyOfRange(bytes, 9, bytes.length)));
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
