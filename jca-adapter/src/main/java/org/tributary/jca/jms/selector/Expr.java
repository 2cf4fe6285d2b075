package org.tributary.jca.jms.selector;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Selector expression nodes. Evaluation yields {@code Boolean}, {@code String}, a {@code Long} or
 * {@code Double}, or {@code null} for SQL's unknown.
 */
interface Expr {
    Object eval(Function<String, Object> values);

    /**
     * Record headers are untyped strings, so where a number is expected a numeric string is read
     * as that number ({@code qty > 1} works on a header {@code qty=3}); anything else is null.
     */
    static Number numeric(String s) {
        String t = s.trim();
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            try {
                return t.isEmpty() || !t.matches("[+-]?[0-9.]+([eE][+-]?[0-9]+)?") ? null : Double.parseDouble(t);
            } catch (NumberFormatException e2) {
                return null;
            }
        }
    }

    record Literal(Object value) implements Expr {
        public Object eval(Function<String, Object> v) {
            return value;
        }
    }

    record Identifier(String name) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object o = v.apply(name);
            if (o instanceof Byte || o instanceof Short || o instanceof Integer) {
                return ((Number) o).longValue();
            }
            if (o instanceof Float f) {
                return f.doubleValue();
            }
            return o;
        }
    }

    record Not(Expr e) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object o = e.eval(v);
            return o instanceof Boolean b ? !b : null;
        }
    }

    record And(Expr l, Expr r) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object a = l.eval(v);
            if (Boolean.FALSE.equals(a)) {
                return false;
            }
            Object b = r.eval(v);
            if (Boolean.FALSE.equals(b)) {
                return false;
            }
            return a instanceof Boolean && b instanceof Boolean ? Boolean.TRUE : null;
        }
    }

    record Or(Expr l, Expr r) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object a = l.eval(v);
            if (Boolean.TRUE.equals(a)) {
                return true;
            }
            Object b = r.eval(v);
            if (Boolean.TRUE.equals(b)) {
                return true;
            }
            return a instanceof Boolean && b instanceof Boolean ? Boolean.FALSE : null;
        }
    }

    record Compare(String op, Expr l, Expr r) implements Expr {
        public Object eval(Function<String, Object> v) {
            return compare(op, l.eval(v), r.eval(v));
        }

        static Object compare(String op, Object a, Object b) {
            if (a == null || b == null) {
                return null;
            }
            if (a instanceof Number && b instanceof String s) {
                b = numeric(s);
            } else if (b instanceof Number && a instanceof String s) {
                a = numeric(s);
            }
            if (a == null || b == null) {
                return false;
            }
            if (a instanceof Number x && b instanceof Number y) {
                int c = (x instanceof Long && y instanceof Long)
                        ? Long.compare(x.longValue(), y.longValue())
                        : Double.compare(x.doubleValue(), y.doubleValue());
                return switch (op) {
                    case "=" -> c == 0;
                    case "<>" -> c != 0;
                    case "<" -> c < 0;
                    case "<=" -> c <= 0;
                    case ">" -> c > 0;
                    default -> c >= 0;
                };
            }
            boolean sameKind = (a instanceof String && b instanceof String) || (a instanceof Boolean && b instanceof Boolean);
            if (!sameKind || !(op.equals("=") || op.equals("<>"))) {
                return false; // comparing unlike types, or ordering strings/booleans, is false
            }
            return op.equals("=") == a.equals(b);
        }
    }

    record Arithmetic(char op, Expr l, Expr r) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object a = l.eval(v);
            Object b = r.eval(v);
            a = a instanceof String s ? numeric(s) : a;
            b = b instanceof String s ? numeric(s) : b;
            if (!(a instanceof Number x) || !(b instanceof Number y)) {
                return null;
            }
            if (x instanceof Long && y instanceof Long) {
                long p = x.longValue();
                long q = y.longValue();
                return switch (op) {
                    case '+' -> p + q;
                    case '-' -> p - q;
                    case '*' -> p * q;
                    default -> q == 0 ? null : p / q;
                };
            }
            double p = x.doubleValue();
            double q = y.doubleValue();
            return switch (op) {
                case '+' -> p + q;
                case '-' -> p - q;
                case '*' -> p * q;
                default -> p / q;
            };
        }
    }

    record Negate(Expr e) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object o = e.eval(v);
            o = o instanceof String s ? numeric(s) : o;
            if (o instanceof Long l) {
                return -l;
            }
            return o instanceof Number n ? -n.doubleValue() : null;
        }
    }

    record Between(Expr e, Expr low, Expr high, boolean negated) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object x = e.eval(v);
            Object r = new And(new Literal(Compare.compare(">=", x, low.eval(v))), new Literal(Compare.compare("<=", x, high.eval(v)))).eval(v);
            return negated ? new Not(new Literal(r)).eval(v) : r;
        }
    }

    record In(Expr e, List<String> values, boolean negated) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object x = e.eval(v);
            if (!(x instanceof String s)) {
                return null;
            }
            return values.contains(s) != negated;
        }
    }

    record Like(Expr e, Pattern pattern, boolean negated) implements Expr {
        public Object eval(Function<String, Object> v) {
            Object x = e.eval(v);
            if (!(x instanceof String s)) {
                return null;
            }
            return pattern.matcher(s).matches() != negated;
        }
    }

    record IsNull(Expr e, boolean negated) implements Expr {
        public Object eval(Function<String, Object> v) {
            return (e.eval(v) == null) != negated;
        }
    }
}
