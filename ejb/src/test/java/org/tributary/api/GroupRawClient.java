package org.tributary.api;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** One request at a time over a plain socket, for group protocol edge cases at exact versions. */
final class GroupRawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlation;

    GroupRawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    <T extends AbstractResponse> T send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-group-test", ++correlation);
        ByteBuffer body = request.serializeWithHeader(header);
        byte[] frame = new byte[4 + body.remaining()];
        ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
        out.write(frame);
        out.flush();
        byte[] resp = new byte[in.readInt()];
        in.readFully(resp);
        @SuppressWarnings("unchecked")
        T parsed = (T) AbstractResponse.parseResponse(ByteBuffer.wrap(resp), header);
        return parsed;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
