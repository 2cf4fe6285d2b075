package org.tributary.jca.it.app;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the MDBs saw, kept for the test to read over REST. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class Received {
    private final Map<String, List<String>> lines = new ConcurrentHashMap<>();
    private final Map<String, long[]> times = new ConcurrentHashMap<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    public void openGate() {
        gate.countDown();
    }

    public void awaitGate() {
        try {
            gate.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void add(String name, String line) {
        lines.computeIfAbsent(name, k -> new ArrayList<>());
        List<String> l = lines.get(name);
        synchronized (l) {
            l.add(line);
        }
        long now = System.nanoTime();
        times.compute(name, (k, t) -> t == null ? new long[] {now, now} : new long[] {t[0], now});
    }

    public String dump(String name) {
        List<String> l = lines.getOrDefault(name, List.of());
        StringBuilder b = new StringBuilder();
        long[] t = times.get(name);
        if (t != null) {
            b.append("#nanos ").append(t[1] - t[0]).append('\n');
        }
        synchronized (l) {
            l.forEach(s -> b.append(s).append('\n'));
        }
        return b.toString();
    }

    public Map<String, Integer> counts() {
        Map<String, Integer> m = new TreeMap<>();
        lines.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }
}
