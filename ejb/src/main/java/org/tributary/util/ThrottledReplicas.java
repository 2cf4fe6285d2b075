package org.tributary.util;

/** Kafka's {@code leader/follower.replication.throttled.replicas} topic config values. */
public final class ThrottledReplicas {
    private ThrottledReplicas() {
    }

    /**
     * The replicas of a throttled-replicas config value: {@code *} (one entry {-1, -1}) or
     * {@code partition:broker,...}. Throws {@link IllegalArgumentException} naming what is wrong.
     */
    public static java.util.List<int[]> parse(String list) {
        String s = list.trim();
        if (s.equals("*")) {
            return java.util.List.of(new int[] {-1, -1});
        }
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (String part : s.split(",")) {
            String e = part.trim();
            if (e.isEmpty()) {
                continue;
            }
            String[] pb = e.split(":");
            try {
                if (pb.length != 2) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(pb[0].trim());
                int broker = Integer.parseInt(pb[1].trim());
                if (partition < 0 || broker < 0) {
                    throw new NumberFormatException();
                }
                out.add(new int[] {partition, broker});
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("must be * or a list of [partitionId]:[brokerId] entries, e.g. 0:101,1:102; '"
                        + e + "' is not");
            }
        }
        return out;
    }
}
