package org.tributary.jca.jms.message;

import jakarta.jms.MessageFormatException;

/** The JMS conversion table for property and map values (Jakarta Messaging 3.1, 3.5.4). */
final class PropertyValues {
    private PropertyValues() {
    }

    static boolean toBoolean(Object o) throws MessageFormatException {
        if (o instanceof Boolean b) {
            return b;
        }
        if (o == null || o instanceof String) {
            return Boolean.parseBoolean((String) o);
        }
        throw cannot(o, "boolean");
    }

    static long toLong(Object o, String type, long min, long max) throws MessageFormatException {
        long v;
        if (o instanceof Byte || o instanceof Short || o instanceof Integer || o instanceof Long) {
            v = ((Number) o).longValue();
        } else if (o instanceof String s) {
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw cannot(o, type);
            }
        } else if (o == null) {
            throw new NumberFormatException("null cannot be read as " + type);
        } else {
            throw cannot(o, type);
        }
        if (v < min || v > max) {
            throw cannot(o, type);
        }
        return v;
    }

    static double toDouble(Object o, String type) throws MessageFormatException {
        if (o instanceof Float || o instanceof Double) {
            return ((Number) o).doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw cannot(o, type);
            }
        }
        if (o == null) {
            throw new NullPointerException("null cannot be read as " + type);
        }
        throw cannot(o, type);
    }

    static String toStringValue(Object o) throws MessageFormatException {
        if (o instanceof byte[]) {
            throw cannot(o, "String");
        }
        return o == null ? null : o.toString();
    }

    static void checkType(Object o) throws MessageFormatException {
        if (o != null && !(o instanceof Boolean || o instanceof Number || o instanceof String || o instanceof Character)) {
            throw new MessageFormatException("unsupported value type " + o.getClass().getName()
                    + ": only boolean, numbers, characters and String are allowed");
        }
    }

    static MessageFormatException cannot(Object o, String type) {
        return new MessageFormatException("a " + o.getClass().getSimpleName() + " value (" + o + ") cannot be read as " + type);
    }
}
