package org.tributary.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The byte layer under a {@link Connection}'s frames: plaintext ({@link SocketTransferChannel},
 * reads and writes go straight to the socket, file regions by {@code transferTo}) or TLS
 * ({@link TlsTransport}). A SASL layer sits above it, on frames, whichever transport carries them.
 * All methods run on the owning processor's thread; none blocks.
 */
interface Transport extends TransferableChannel {

    /** Moves the handshake on as far as the socket allows; true once application bytes can flow. */
    boolean handshake() throws IOException;

    /** During the handshake: whether it waits to write (else it waits to read). */
    boolean handshakeWantsWrite();

    /** Reads application bytes into {@code dst}; -1 at the end of the stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Application bytes already read from the socket and not yet delivered (the selector will not report them). */
    boolean hasBufferedInput();

    /** Writes bytes held back by an earlier write; true when nothing is left. */
    boolean flush() throws IOException;

    /** Who the peer proved to be at the transport level (a client certificate), else ANONYMOUS. */
    KafkaPrincipal peerPrincipal();
}
