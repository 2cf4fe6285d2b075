package org.tributary.jca.jms.selector;

import java.util.function.Function;

/**
 * A compiled JMS message selector (the SQL-92 subset of Jakarta Messaging 3.1, section 3.8.1):
 * literals, identifiers (header fields and properties), comparison, {@code AND}/{@code OR}/{@code NOT}
 * with three-valued logic, arithmetic, {@code [NOT] BETWEEN}, {@code [NOT] IN},
 * {@code [NOT] LIKE ... [ESCAPE ...]}, {@code IS [NOT] NULL}. Immutable and thread-safe.
 *
 * <p>One deliberate difference from JMS: record headers carry no type, so a string compared with
 * (or computed with) a number is read as that number when it is numeric, else the comparison is
 * false. Strings compared with strings are never converted.
 */
public final class Selector {
    private final String text;
    private final Expr root;

    private Selector(String text, Expr root) {
        this.text = text;
        this.root = root;
    }

    public static Selector parse(String text) {
        return new Selector(text, new SelectorParser(text).parse());
    }

    /**
     * True only when the selector evaluates to TRUE (not FALSE, not unknown).
     *
     * @param values an identifier's value ({@code String}, {@code Boolean}, a {@code Number}) or
     *        {@code null} when the message has none
     */
    public boolean matches(Function<String, Object> values) {
        return Boolean.TRUE.equals(root.eval(values));
    }

    @Override
    public String toString() {
        return text;
    }
}
