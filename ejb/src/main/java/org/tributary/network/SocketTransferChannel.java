package org.tributary.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The plaintext transport: reads and writes go straight to the socket, file regions by
 * {@code sendfile} ({@link FileChannel#transferTo}), so fetch responses are zero-copy.
 */
final class SocketTransferChannel implements Transport {
    private final SocketChannel socket;

    SocketTransferChannel(SocketChannel socket) {
        this.socket = socket;
    }

    @Override
    public boolean handshake() {
        return true;
    }

    @Override
    public boolean handshakeWantsWrite() {
        return false;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return socket.read(dst);
    }

    @Override
    public boolean hasBufferedInput() {
        return false;
    }

    @Override
    public boolean flush() {
        return true;
    }

    @Override
    public KafkaPrincipal peerPrincipal() {
        return KafkaPrincipal.ANONYMOUS;
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
        return fileChannel.transferTo(position, count, socket);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return socket.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return socket.write(srcs);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return socket.write(src);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
