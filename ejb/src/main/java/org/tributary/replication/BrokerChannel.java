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
import org.tributary.network.TlsContext;

/**
 * One blocking Kafka-protocol connection from this broker to another broker's listener (TLS when
 * that listener is SSL: an {@link SSLSocket} that verifies the peer), for the replica fetcher that owns it (one request at a time; not thread-safe). Connects lazily; any I/O
 * failure closes it, and the next request reconnects.
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
    private InetSocketAddress address;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private int correlationId;

    /** {@code tls}: null for a plaintext listener; else the TLS client side that verifies the peer. */
    BrokerChannel(String clientId, int connectTimeoutMs, TlsContext tls) {
        this.clientId = clientId;
        this.connectTimeoutMs = connectTimeoutMs;
        this.tls = tls;
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
            if (socket == null) {
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
            }
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
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
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
