package org.tributary.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough JSON reading for the admin API's flat answers in end-to-end tests. */
final class Json {
    private Json() {
    }

    static String string(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"?(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no number '" + field + "' in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** The ids of the brokers listed as alive by {@code GET /api/cluster}. */
    static List<Integer> aliveBrokerIds(String clusterJson) {
        List<Integer> ids = new ArrayList<>();
        Matcher m = Pattern.compile("\\{[^{}]*\\}").matcher(clusterJson);
        while (m.find()) {
            String b = m.group();
            if (b.contains("\"alive\":true")) {
                ids.add((int) number(b, "id"));
            }
        }
        return ids;
    }
}
