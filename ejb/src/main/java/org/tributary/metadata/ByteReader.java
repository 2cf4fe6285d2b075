package org.tributary.metadata;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Reads what {@link ByteWriter} wrote; lengths are checked against the bytes left, so damaged input
 * fails with an exception instead of a huge allocation. Not thread-safe.
 */
final class ByteReader {
    private final ByteBuffer buf;

    ByteReader(ByteBuffer buf) {
        this.buf = buf;
    }

    byte int8() {
        return buf.get();
    }

    boolean bool() {
        byte b = buf.get();
        if (b != 0 && b != 1) {
            throw new IllegalArgumentException("boolean byte " + b);
        }
        return b == 1;
    }

    int int32() {
        return buf.getInt();
    }

    long int64() {
        return buf.getLong();
    }

    Uuid uuid() {
        return new Uuid(buf.getLong(), buf.getLong());
    }

    String string() {
        int n = buf.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes with " + buf.remaining() + " left");
        }
        ByteBuffer slice = buf.slice();
        slice.limit(n);
        buf.position(buf.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not UTF-8: " + e.getMessage(), e);
        }
    }

    /** A byte array written by {@code ByteWriter.bytes}: an int32 length (0 or more), then the bytes. */
    byte[] bytes() {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining()) {
            throw new IllegalArgumentException("byte array of " + n + " bytes with " + buf.remaining() + " left");
        }
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    List<Integer> ints() {
        int n = buf.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > buf.remaining() / 4) {
            throw new IllegalArgumentException("list of " + n + " ints with " + buf.remaining() + " bytes left");
        }
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(buf.getInt());
        }
        return out;
    }
}
