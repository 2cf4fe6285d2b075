package org.tributary.jca.api;

import java.nio.charset.StandardCharsets;

final class Bytes {
    private Bytes() {
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
