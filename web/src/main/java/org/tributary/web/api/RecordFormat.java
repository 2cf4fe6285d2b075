package org.tributary.web.api;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** How record keys and values are shown: as text, JSON, hex, base64, or chosen per value (auto). */
enum RecordFormat {
    AUTO, TEXT, JSON, HEX, BASE64;

    static RecordFormat of(String s, String field) {
        if (s == null || s.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Inputs.invalid(field, "'" + field + "' must be one of auto, text, json, hex, base64, not '" + s + "'");
        }
    }

    /** A shown value and the format it was shown in (AUTO and JSON fall back when the bytes do not fit). */
    record Shown(String text, String format) {
    }

    Shown show(byte[] b) {
        if (b == null) {
            return new Shown(null, null);
        }
        return switch (this) {
            case HEX -> new Shown(HexFormat.of().formatHex(b), "hex");
            case BASE64 -> new Shown(Base64.getEncoder().encodeToString(b), "base64");
            case TEXT -> new Shown(new String(b, StandardCharsets.UTF_8), "text");
            case JSON -> {
                String t = utf8(b);
                yield t != null && isJson(t) ? new Shown(t, "json") : new Shown(HexFormat.of().formatHex(b), "hex");
            }
            case AUTO -> {
                String t = utf8(b);
                if (t == null || t.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
                    yield new Shown(HexFormat.of().formatHex(b), "hex");
                }
                yield new Shown(t, isJson(t) ? "json" : "text");
            }
        };
    }

    /** Bytes from input written in this format (AUTO and JSON: UTF-8 text). */
    byte[] parse(String s, String field) {
        if (s == null) {
            return null;
        }
        try {
            return switch (this) {
                case HEX -> HexFormat.of().parseHex(s.replace(" ", ""));
                case BASE64 -> Base64.getDecoder().decode(s);
                case JSON -> {
                    if (!isJson(s)) {
                        throw Inputs.invalid(field, "'" + field + "' is not valid JSON");
                    }
                    yield s.getBytes(StandardCharsets.UTF_8);
                }
                default -> s.getBytes(StandardCharsets.UTF_8);
            };
        } catch (IllegalArgumentException e) {
            throw Inputs.invalid(field, "'" + field + "' is not valid " + name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
        }
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static boolean isJson(String s) {
        String t = s.trim();
        if (!(t.startsWith("{") || t.startsWith("["))) {
            return false;
        }
        try (JsonParser p = Json.createParser(new StringReader(t))) {
            while (p.hasNext()) {
                p.next();
            }
            return true;
        } catch (JsonException | IllegalStateException e) {
            return false;
        }
    }
}
