package org.tributary.metadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;

/** A growable big-endian byte buffer for {@link MetadataCodec}. Not thread-safe. */
final class ByteWriter {
    private byte[] buf = new byte[128];
    private int pos;

    int position() {
        return pos;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    void int8(byte v) {
        ensure(1);
        buf[pos++] = v;
    }

    void bool(boolean v) {
        int8((byte) (v ? 1 : 0));
    }

    void int32(int v) {
        ensure(4);
        putInt(pos, v);
        pos += 4;
    }

    void putInt(int at, int v) {
        ByteBuffer.wrap(buf).putInt(at, v);
    }

    void int64(long v) {
        ensure(8);
        ByteBuffer.wrap(buf).putLong(pos, v);
        pos += 8;
    }

    void uuid(Uuid id) {
        int64(id.getMostSignificantBits());
        int64(id.getLeastSignificantBits());
    }

    void string(String s) {
        if (s == null) {
            int32(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** A byte array: an int32 length, then the bytes (never null). */
    void bytes(byte[] b) {
        int32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    void ints(List<Integer> list) {
        if (list == null) {
            int32(-1);
            return;
        }
        int32(list.size());
        for (int v : list) {
            int32(v);
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
