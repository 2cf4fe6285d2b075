package org.tributary.replication;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.tributary.config.SaslConfig;
import org.tributary.network.TlsContext;

/**
 * One blocking Kafka-protocol connection from this broker to another broker's listener (TLS when
 * that listener is SSL or SASL_SSL: an {@link SSLSocket} that verifies the peer; with a SASL login
 * first when it is SASL_*), for the replica fetcher that owns it (one request at a time; not
 * thread-safe). Connects lazily; any I/O failure closes it, and the next request reconnects. When
 * the peer grants a SASL session of limited lifetime (KIP-368), the channel reconnects and logs in
 * again before 85% of it has passed, instead of re-authenticating in place.
 */
final class BrokerChannel implements Closeable {
    /** Reads a response body of one API at one version. */
    @FunctionalInterface
    interface Parser<R> {
        R parse(Readable readable, short version);
    }

    private final String clientId;
    private final int connectTimeoutMs;
    private final TlsContext tls;
    private final SaslConfig.Client sasl;
    /** When the SASL session must be renewed (System.nanoTime()), if it expires. */
    private long renewAtNanos;
    private boolean sessionExpires;
    private InetSocketAddress address;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private int correlationId;

    /** {@code tls}: null for a plaintext listener; else the TLS client side that verifies the peer. */
    BrokerChannel(String clientId, int connectTimeoutMs, TlsContext tls) {
        this(clientId, connectTimeoutMs, tls, null);
    }

    /** {@code sasl}: null for a listener without SASL; else the mechanism and credentials to log in with. */
    BrokerChannel(String clientId, int connectTimeoutMs, TlsContext tls, SaslConfig.Client sasl) {
        this.clientId = clientId;
        this.connectTimeoutMs = connectTimeoutMs;
        this.tls = tls;
        this.sasl = sasl;
    }

    /** Points the channel at {@code to}; a different address closes the current connection. */
    void target(InetSocketAddress to) {
        if (!to.equals(address)) {
            close();
            address = to;
        }
    }

    InetSocketAddress target() {
        return address;
    }

    /** Sends {@code body} and waits at most {@code readTimeoutMs} for the answer. */
    <R> R send(ApiKeys api, short version, ApiMessage body, Parser<R> parser, int readTimeoutMs) throws IOException {
        if (address == null) {
            throw new IOException("no broker address to send to");
        }
        try {
            if (socket != null && sessionExpires && System.nanoTime() - renewAtNanos >= 0) {
                close();
            }
            if (socket == null) {
                connect(readTimeoutMs);
            }
            return roundTrip(api, version, body, parser, readTimeoutMs);
        } catch (java.io.EOFException e) {
            close();
            throw new IOException("the broker closed the connection (it may be stopping or restarting)", e);
        } catch (IOException | RuntimeException e) {
            close();
            if (e.getMessage() == null) {
                throw new IOException(e.getClass().getSimpleName(), e); // never a bare "null" in a log line
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private void connect(int readTimeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, connectTimeoutMs);
            if (tls != null) {
                s.setSoTimeout(readTimeoutMs);
                SSLSocket ssl = tls.clientSocket(s, address.getHostString(), address.getPort());
                ssl.startHandshake();
                s = ssl;
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        socket = s;
        in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 65_536));
        out = s.getOutputStream();
        sessionExpires = false;
        if (sasl != null) {
            long started = System.nanoTime();
            long lifetimeMs = SaslClientLogin.login(new SaslClientLogin.Exchange() {
                @Override
                public <R> R send(ApiKeys api, short version, ApiMessage body, Parser<R> parser) throws IOException {
                    return roundTrip(api, version, body, parser, readTimeoutMs);
                }
            }, sasl);
            if (lifetimeMs > 0) {
                sessionExpires = true;
                renewAtNanos = started + lifetimeMs * 850_000L;
            }
        }
    }

    private <R> R roundTrip(ApiKeys api, short version, ApiMessage body, Parser<R> parser, int readTimeoutMs) throws IOException {
        socket.setSoTimeout(readTimeoutMs);
        int corr = ++correlationId;
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setClientId(clientId).setCorrelationId(corr);
        ByteBuffer payload = RequestUtils.serialize(header, api.requestHeaderVersion(version), body, version);
        ByteBuffer framed = ByteBuffer.allocate(4 + payload.remaining());
        framed.putInt(payload.remaining()).put(payload).flip();
        out.write(framed.array(), 0, framed.limit());
        out.flush();
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("negative response size " + size + " from " + address);
        }
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        ResponseHeader rh = ResponseHeader.parse(buf, api.responseHeaderVersion(version));
        if (rh.correlationId() != corr) {
            throw new IOException("response correlation id " + rh.correlationId() + " from " + address + ", expected " + corr);
        }
        return parser.parse(new ByteBufferAccessor(buf), version);
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
