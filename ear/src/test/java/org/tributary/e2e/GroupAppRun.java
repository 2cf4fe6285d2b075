package org.tributary.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tributary.e2e.groupapp.GroupApp;

/**
 * The deployment group's own application ({@code groupapp}) as {@link PayaraServerIT} uses it:
 * packs the WAR from the compiled test classes, deploys it to the group, sends through it and
 * reads what its MDBs received on every instance. Keeps what was acknowledged (partition, offset,
 * value) and every error the application reported.
 */
final class GroupAppRun {
    static final String NAME = "groupapp";
    private static final Pattern DELIVERY = Pattern.compile("ID:" + GroupApp.TOPIC + "-(\\d+)-(\\d+) (r\\d+)");

    private final PayaraServerCluster cluster;
    private final int instances;
    private final Map<Integer, TreeMap<Long, String>> acked = new TreeMap<>();
    private final Set<String> ackedValues = new HashSet<>();
    private final List<String> errors = new ArrayList<>();
    private int next;

    GroupAppRun(PayaraServerCluster cluster, int instances) {
        this.cluster = cluster;
        this.instances = instances;
    }

    /** Writes {@code groupapp.war} (the classes of package groupapp) into DIR. */
    static Path packWar(Path dir) {
        return TestWars.pack(GroupApp.class, NAME, dir);
    }

    /**
     * Sends the next COUNT records through instance I's application. Returns how long it took;
     * what was acknowledged is kept, an error the application reported (or no answer) too.
     */
    synchronized Duration send(int instance, int count, Duration timeout) {
        long t0 = System.nanoTime();
        int from = next;
        next += count;
        Optional<HttpResponse<String>> r = cluster.post(cluster.httpPort(instance), "/" + NAME + "/api/send?from=" + from + "&count=" + count,
                timeout);
        if (r.isEmpty() || r.get().statusCode() != 200) {
            errors.add("records r" + from + "..: " + r.map(x -> "HTTP " + x.statusCode() + ": " + PayaraServerCluster.tail(x.body(), 5))
                    .orElse("no answer from instance " + instance));
        } else {
            for (String line : r.get().body().split("\n")) {
                Matcher m = DELIVERY.matcher(line);
                if (m.matches()) {
                    String value = m.group(3);
                    acked.computeIfAbsent(Integer.parseInt(m.group(1)), p -> new TreeMap<>()).merge(Long.parseLong(m.group(2)), value,
                            (a, b) -> a + "|" + b);
                    if (!ackedValues.add(value)) {
                        errors.add(value + " acknowledged twice");
                    }
                } else if (!line.isBlank()) {
                    errors.add(line);
                }
            }
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    synchronized int ackedCount() {
        return ackedValues.size();
    }

    synchronized Map<Integer, TreeMap<Long, String>> acked() {
        Map<Integer, TreeMap<Long, String>> copy = new TreeMap<>();
        acked.forEach((p, m) -> copy.put(p, new TreeMap<>(m)));
        return copy;
    }

    /** One delivery an MDB recorded: on which instance, where, and what. */
    record Delivery(int instance, int partition, long offset, String value) {
    }

    /** Every delivery recorded so far, per instance in the order that instance's MDBs received them. */
    Map<Integer, List<Delivery>> deliveries() {
        Map<Integer, List<Delivery>> all = new TreeMap<>();
        for (int i = 0; i < instances; i++) {
            List<Delivery> list = new ArrayList<>();
            Path f = cluster.instanceDir(i).resolve(GroupApp.RECEIVED_FILE);
            if (Files.isRegularFile(f)) {
                try {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        Matcher m = DELIVERY.matcher(line);
                        if (m.matches()) { // a line cut by the kill is not a delivery record
                            list.add(new Delivery(i, Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), m.group(3)));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f, e);
                }
            }
            all.put(i, list);
        }
        return all;
    }

    /** The acknowledged records no MDB has received yet, as partition -> offsets. */
    Map<Integer, List<Long>> missing(Map<Integer, List<Delivery>> deliveries) {
        Map<Integer, Set<Long>> seen = new HashMap<>();
        deliveries.values().forEach(l -> l.forEach(d -> seen.computeIfAbsent(d.partition(), p -> new HashSet<>()).add(d.offset())));
        Map<Integer, List<Long>> missing = new TreeMap<>();
        acked().forEach((p, offsets) -> offsets.keySet().stream().filter(o -> !seen.getOrDefault(p, Set.of()).contains(o))
                .forEach(o -> missing.computeIfAbsent(p, x -> new ArrayList<>()).add(o)));
        return missing;
    }

    /**
     * What breaks the contract in these deliveries: a record delivered with another value than
     * the one acknowledged at its offset (or never acknowledged), and, per instance and partition,
     * a record delivered for the first time on that instance after a later offset was (order per
     * partition). Redeliveries after a rebalance (offsets seen before) are at-least-once, not errors.
     */
    List<String> violations(Map<Integer, List<Delivery>> deliveries) {
        Map<Integer, TreeMap<Long, String>> ack = acked();
        List<String> bad = new ArrayList<>();
        for (List<Delivery> list : deliveries.values()) {
            Map<Integer, Long> highest = new HashMap<>();
            Map<Integer, Set<Long>> seen = new HashMap<>();
            for (Delivery d : list) {
                String expected = ack.getOrDefault(d.partition(), new TreeMap<>()).get(d.offset());
                if (!d.value().equals(expected)) {
                    bad.add(d + ": acknowledged there was " + expected);
                }
                if (seen.computeIfAbsent(d.partition(), p -> new HashSet<>()).add(d.offset())) {
                    long h = highest.getOrDefault(d.partition(), -1L);
                    if (d.offset() < h) {
                        bad.add(d + ": first delivered on instance " + d.instance() + " after offset " + h + " of the same partition");
                    }
                    highest.put(d.partition(), Math.max(h, d.offset()));
                }
            }
        }
        return bad;
    }
}
