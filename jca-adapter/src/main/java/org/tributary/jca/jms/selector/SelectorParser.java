package org.tributary.jca.jms.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Recursive-descent parser of the JMS selector grammar; precedence as in SQL. */
final class SelectorParser {
    private static final Set<String> RESERVED = Set.of("NOT", "AND", "OR", "BETWEEN", "LIKE", "IN", "IS", "NULL",
            "TRUE", "FALSE", "ESCAPE");

    private enum Kind { IDENT, KEYWORD, STRING, LONG, DOUBLE, OP, END }

    private record Token(Kind kind, String text, Object value, int pos) {
    }

    private final String src;
    private final List<Token> tokens;
    private int i;

    SelectorParser(String src) {
        this.src = src;
        this.tokens = lex(src);
    }

    Expr parse() {
        Expr e = or();
        if (peek().kind != Kind.END) {
            throw error("unexpected '" + peek().text + "'");
        }
        return e;
    }

    private Expr or() {
        Expr e = and();
        while (keyword("OR")) {
            e = new Expr.Or(e, and());
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (keyword("AND")) {
            e = new Expr.And(e, not());
        }
        return e;
    }

    private Expr not() {
        if (keyword("NOT")) {
            return new Expr.Not(not());
        }
        return predicate();
    }

    private Expr predicate() {
        Expr left = additive();
        Token t = peek();
        if (t.kind == Kind.OP && Set.of("=", "<>", "<", "<=", ">", ">=").contains(t.text)) {
            i++;
            return new Expr.Compare(t.text, left, additive());
        }
        if (keyword("IS")) {
            boolean neg = keyword("NOT");
            expectKeyword("NULL");
            return new Expr.IsNull(left, neg);
        }
        boolean neg = keyword("NOT");
        if (keyword("BETWEEN")) {
            Expr low = additive();
            expectKeyword("AND");
            return new Expr.Between(left, low, additive(), neg);
        }
        if (keyword("IN")) {
            requireIdentifier(left, "IN");
            expectOp("(");
            List<String> values = new ArrayList<>();
            do {
                values.add(string("IN"));
            } while (op(","));
            expectOp(")");
            return new Expr.In(left, List.copyOf(values), neg);
        }
        if (keyword("LIKE")) {
            requireIdentifier(left, "LIKE");
            String pattern = string("LIKE");
            Character escape = null;
            if (keyword("ESCAPE")) {
                String e = string("ESCAPE");
                if (e.length() != 1) {
                    throw error("ESCAPE needs a single character, got '" + e + "'");
                }
                escape = e.charAt(0);
            }
            return new Expr.Like(left, like(pattern, escape), neg);
        }
        if (neg) {
            throw error("NOT must be followed by BETWEEN, IN or LIKE here");
        }
        return left;
    }

    private Expr additive() {
        Expr e = multiplicative();
        while (true) {
            if (op("+")) {
                e = new Expr.Arithmetic('+', e, multiplicative());
            } else if (op("-")) {
                e = new Expr.Arithmetic('-', e, multiplicative());
            } else {
                return e;
            }
        }
    }

    private Expr multiplicative() {
        Expr e = unary();
        while (true) {
            if (op("*")) {
                e = new Expr.Arithmetic('*', e, unary());
            } else if (op("/")) {
                e = new Expr.Arithmetic('/', e, unary());
            } else {
                return e;
            }
        }
    }

    private Expr unary() {
        if (op("-")) {
            return new Expr.Negate(unary());
        }
        if (op("+")) {
            return unary();
        }
        return primary();
    }

    private Expr primary() {
        Token t = peek();
        switch (t.kind) {
            case IDENT -> {
                i++;
                return new Expr.Identifier(t.text);
            }
            case STRING, LONG, DOUBLE -> {
                i++;
                return new Expr.Literal(t.value);
            }
            case KEYWORD -> {
                if (t.text.equals("TRUE") || t.text.equals("FALSE")) {
                    i++;
                    return new Expr.Literal(t.text.equals("TRUE"));
                }
                if (t.text.equals("NULL")) {
                    i++;
                    return new Expr.Literal(null);
                }
            }
            case OP -> {
                if (t.text.equals("(")) {
                    i++;
                    Expr e = or();
                    expectOp(")");
                    return e;
                }
            }
            default -> {
            }
        }
        throw error(t.kind == Kind.END ? "unexpected end of selector" : "unexpected '" + t.text + "'");
    }

    private static Pattern like(String pattern, Character escape) {
        StringBuilder re = new StringBuilder();
        for (int k = 0; k < pattern.length(); k++) {
            char c = pattern.charAt(k);
            if (escape != null && c == escape && k + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++k))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private void requireIdentifier(Expr e, String what) {
        if (!(e instanceof Expr.Identifier)) {
            throw error(what + " applies to an identifier");
        }
    }

    private String string(String context) {
        Token t = peek();
        if (t.kind != Kind.STRING) {
            throw error(context + " expects a string literal");
        }
        i++;
        return (String) t.value;
    }

    private Token peek() {
        return tokens.get(i);
    }

    private boolean keyword(String k) {
        if (peek().kind == Kind.KEYWORD && peek().text.equals(k)) {
            i++;
            return true;
        }
        return false;
    }

    private void expectKeyword(String k) {
        if (!keyword(k)) {
            throw error("expected " + k);
        }
    }

    private boolean op(String o) {
        if (peek().kind == Kind.OP && peek().text.equals(o)) {
            i++;
            return true;
        }
        return false;
    }

    private void expectOp(String o) {
        if (!op(o)) {
            throw error("expected '" + o + "'");
        }
    }

    private SelectorException error(String what) {
        return new SelectorException(what + " at position " + (peek().pos + 1) + " in: " + src);
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int p = 0;
        while (true) {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
                p++;
            }
            if (p >= s.length()) {
                out.add(new Token(Kind.END, "", null, p));
                return out;
            }
            char c = s.charAt(p);
            int start = p;
            if (c == '\'') {
                StringBuilder b = new StringBuilder();
                p++;
                while (true) {
                    if (p >= s.length()) {
                        throw new SelectorException("unterminated string literal at position " + (start + 1) + " in: " + s);
                    }
                    char d = s.charAt(p++);
                    if (d == '\'') {
                        if (p < s.length() && s.charAt(p) == '\'') {
                            b.append('\'');
                            p++;
                        } else {
                            break;
                        }
                    } else {
                        b.append(d);
                    }
                }
                out.add(new Token(Kind.STRING, s.substring(start, p), b.toString(), start));
            } else if (Character.isJavaIdentifierStart(c)) {
                while (p < s.length() && Character.isJavaIdentifierPart(s.charAt(p))) {
                    p++;
                }
                String word = s.substring(start, p);
                String upper = word.toUpperCase(Locale.ROOT);
                out.add(RESERVED.contains(upper) ? new Token(Kind.KEYWORD, upper, null, start) : new Token(Kind.IDENT, word, null, start));
            } else if (Character.isDigit(c) || (c == '.' && p + 1 < s.length() && Character.isDigit(s.charAt(p + 1)))) {
                out.add(number(s, start));
                p = start + out.get(out.size() - 1).text.length();
            } else {
                String two = p + 1 < s.length() ? s.substring(p, p + 2) : "";
                if (two.equals("<>") || two.equals("<=") || two.equals(">=")) {
                    out.add(new Token(Kind.OP, two, null, start));
                    p += 2;
                } else if ("=<>+-*/(),".indexOf(c) >= 0) {
                    out.add(new Token(Kind.OP, String.valueOf(c), null, start));
                    p++;
                } else {
                    throw new SelectorException("unexpected character '" + c + "' at position " + (start + 1) + " in: " + s);
                }
            }
        }
    }

    private static Token number(String s, int start) {
        int p = start;
        if (s.startsWith("0x", p) || s.startsWith("0X", p)) {
            p += 2;
            while (p < s.length() && Character.digit(s.charAt(p), 16) >= 0) {
                p++;
            }
            String text = s.substring(start, p);
            return new Token(Kind.LONG, text, Long.parseLong(text.substring(2), 16), start);
        }
        boolean approx = false;
        while (p < s.length() && Character.isDigit(s.charAt(p))) {
            p++;
        }
        if (p < s.length() && s.charAt(p) == '.') {
            approx = true;
            p++;
            while (p < s.length() && Character.isDigit(s.charAt(p))) {
                p++;
            }
        }
        if (p < s.length() && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
            approx = true;
            p++;
            if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                p++;
            }
            while (p < s.length() && Character.isDigit(s.charAt(p))) {
                p++;
            }
        }
        String text = s.substring(start, p);
        boolean suffix = p < s.length() && "lLfFdD".indexOf(s.charAt(p)) >= 0;
        String full = suffix ? s.substring(start, p + 1) : text;
        try {
            if (approx || (suffix && "fFdD".indexOf(s.charAt(p)) >= 0)) {
                return new Token(Kind.DOUBLE, full, Double.parseDouble(text), start);
            }
            return new Token(Kind.LONG, full, Long.parseLong(text), start);
        } catch (NumberFormatException e) {
            throw new SelectorException("bad number '" + full + "' at position " + (start + 1) + " in: " + s);
        }
    }
}
