package org.tributary.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One login module entry of a {@code sasl.jaas.config} value, as Kafka reads it:
 * {@code <LoginModule class> <flag> key="value" ...;}. Values are quoted or bare words. Exactly one
 * entry is allowed (Kafka refuses more for a broker listener). Errors name the key and never the
 * value: it holds passwords. Immutable.
 */
public record JaasEntry(String loginModule, String flag, Map<String, String> options) {
    private static final java.util.Set<String> FLAGS = java.util.Set.of("required", "requisite", "sufficient", "optional");

    public JaasEntry {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Never the option values: they hold passwords. */
    @Override
    public String toString() {
        return loginModule + " " + flag + " " + options.keySet();
    }

    /** Parses {@code value}, read under {@code key}. */
    public static JaasEntry parse(String key, String value) {
        Tokens t = new Tokens(key, value);
        String module = t.word("a login module class");
        String flag = t.word("a control flag (required)").toLowerCase(Locale.ROOT);
        if (!FLAGS.contains(flag)) {
            throw new ConfigException(key, "the control flag after " + module + " must be required, requisite, sufficient or optional");
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (!t.atSemicolon()) {
            String name = t.word("an option name or ';'");
            t.expect('=');
            String v = t.value();
            if (options.put(name, v) != null) {
                throw new ConfigException(key, "option " + name + " appears twice");
            }
        }
        t.skipSpace();
        if (!t.atEnd()) {
            throw new ConfigException(key, "holds more than one login module; a listener's mechanism takes exactly one");
        }
        return new JaasEntry(module, flag, options);
    }

    /** A minimal tokenizer over the JAAS text; never puts the text into a message. */
    private static final class Tokens {
        private final String key;
        private final String s;
        private int i;

        Tokens(String key, String s) {
            this.key = key;
            this.s = s == null ? "" : s;
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        boolean atEnd() {
            return i >= s.length();
        }

        boolean atSemicolon() {
            skipSpace();
            if (atEnd()) {
                throw new ConfigException(key, "does not end with ';'");
            }
            if (s.charAt(i) == ';') {
                i++;
                return true;
            }
            return false;
        }

        String word(String what) {
            skipSpace();
            int start = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && "=;\"".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            if (start == i) {
                throw new ConfigException(key, "expected " + what + " at character " + start);
            }
            return s.substring(start, i);
        }

        void expect(char c) {
            skipSpace();
            if (atEnd() || s.charAt(i) != c) {
                throw new ConfigException(key, "expected '" + c + "' at character " + i);
            }
            i++;
        }

        String value() {
            skipSpace();
            if (!atEnd() && s.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) {
                        c = s.charAt(i++);
                    }
                    b.append(c);
                }
                if (atEnd()) {
                    throw new ConfigException(key, "has a quoted value without its closing quote");
                }
                i++;
                return b.toString();
            }
            return word("a value");
        }
    }
}
