package org.tributary.web.api;

import org.tributary.ee.AdminException;

/** Checks of request input; each failure names the field. */
final class Inputs {
    private Inputs() {
    }

    static AdminException invalid(String field, String message) {
        return new AdminException(AdminException.Kind.INVALID, field, message);
    }

    static <T> T required(T value, String field) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw invalid(field, "'" + field + "' is required");
        }
        return value;
    }

    static int range(Integer value, String field, int min, int max) {
        required(value, field);
        if (value < min || value > max) {
            throw invalid(field, "'" + field + "' must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    static void topicName(String name) {
        required(name, "name");
        if (name.length() > 249 || !name.matches("[a-zA-Z0-9._-]+") || name.equals(".") || name.equals("..")) {
            throw invalid("name", "topic name '" + name + "' is not legal: use 1 to 249 of a-z A-Z 0-9 . _ -");
        }
    }
}
