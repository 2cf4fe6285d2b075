package org.tributary.web.metrics;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.tributary.ee.BrokerService;
import org.tributary.ee.GroupInfo;
import org.tributary.ee.PartitionInfo;
import org.tributary.ee.TopicInfo;
import org.tributary.metrics.MetricsSnapshot;
import org.tributary.web.metrics.StatsSnapshot.ApiStat;
import org.tributary.web.metrics.StatsSnapshot.Flow;
import org.tributary.web.metrics.StatsSnapshot.GroupStat;
import org.tributary.web.metrics.StatsSnapshot.PartitionStat;
import org.tributary.web.metrics.StatsSnapshot.TopicStat;

/**
 * Samples the broker every {@value #PERIOD_MS} ms: its counters (requests and latency per API,
 * messages and bytes in and out per topic), the engine's views (partitions, ISR, log sizes, lag)
 * and per-second rates since the previous sample. The console's charts and the {@code /metrics}
 * gauges read the latest sample.
 *
 * <p>A sample's cost grows with the partitions the cluster holds, so the sampler keeps to a budget:
 * the pause after a sample is at least {@value #COST_SHARE} times what the sample took, so sampling
 * uses at most one {@value #COST_SHARE}th of a core however many partitions there are (a sample of
 * 10,000 partitions that takes 100 ms is followed by a 5 s pause, not 2 s). Rates divide by the
 * time between samples, so they stay right when the period stretches.
 */
@ApplicationScoped
public class BrokerStats {
    static final long PERIOD_MS = 2_000;
    /** The pause after a sample is at least this many times the sample's duration. */
    static final int COST_SHARE = 50;
    private static final Logger LOG = Logger.getLogger(BrokerStats.class.getName());

    @EJB
    private BrokerService broker;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    @jakarta.inject.Inject
    private KafkaMetrics metrics;

    private volatile StatsSnapshot latest = StatsSnapshot.empty();
    private volatile ScheduledFuture<?> task;
    private volatile boolean stopped;
    private MetricsSnapshot previousCounters;
    private int failures;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        task = scheduler.schedule(this::sampleAndReschedule, 0, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        stopped = true;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** The pause after a sample that took {@code tookMs}: the period, stretched to keep to the budget. */
    static long pauseAfter(long tookMs) {
        return Math.max(PERIOD_MS, tookMs * COST_SHARE);
    }

    private void sampleAndReschedule() {
        long start = System.nanoTime();
        sampleSafely();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (!stopped) {
            try {
                ScheduledFuture<?> next = scheduler.schedule(this::sampleAndReschedule, pauseAfter(tookMs), TimeUnit.MILLISECONDS);
                task = next;
                if (stopped) { // stop() ran after the check above and may have cancelled the previous task only
                    next.cancel(false);
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the application is being undeployed: the executor takes no more tasks
            }
        }
    }

    public StatsSnapshot latest() {
        return latest;
    }

    /** For tests: a broker without injection. */
    void setBroker(BrokerService broker) {
        this.broker = broker;
    }

    private void sampleSafely() {
        try {
            StatsSnapshot s = sample(latest);
            latest = s;
            metrics.update(s);
        } catch (jakarta.ejb.EJBException e) {
            if (e.getCause() == null) {
                // the container refused the call (no cause from the bean): the application is being
                // undeployed or redeployed and stops the broker bean before this sampler; nothing to report
                LOG.log(java.util.logging.Level.FINE, "broker bean unavailable, sample skipped", e);
            } else {
                reportOnce(e);
            }
        } catch (RuntimeException e) {
            reportOnce(e);
        }
    }

    private void reportOnce(RuntimeException e) {
        if (failures++ == 0) {
            LOG.log(java.util.logging.Level.WARNING, "TRIB-WEB-002 sampling the broker failed (logged once)", e);
        }
    }

    /** Takes a sample; synchronized because rates compare with the previous one. */
    synchronized StatsSnapshot sample(StatsSnapshot prev) {
        long now = System.currentTimeMillis();
        MetricsSnapshot counters = broker.metrics();
        MetricsSnapshot before = previousCounters;
        double dt = Math.max(0.001, (now - prev.atMillis()) / 1000.0);
        boolean first = prev.topics().isEmpty() && prev.messagesConsumedTotal() == 0;
        List<TopicInfo> topics = broker.topics();
        Map<String, TopicStat> ts = new LinkedHashMap<>();
        int parts = 0;
        int under = 0;
        int offline = 0;
        for (TopicInfo t : topics) {
            TopicStat earlier = prev.topics().get(t.name());
            List<PartitionStat> ps = partitions(t.partitions(), earlier == null ? List.of() : earlier.partitions());
            MetricsSnapshot.TopicCounters c = counters.topics().getOrDefault(t.name(), MetricsSnapshot.TopicCounters.ZERO);
            MetricsSnapshot.TopicCounters b = before == null ? null : before.topics().get(t.name());
            ts.put(t.name(), new TopicStat(t.name(), t.sizeBytes(), flow(c, b, dt), ps));
            parts += t.partitionCount();
            under += t.underReplicated();
            for (PartitionInfo p : t.partitions()) {
                offline += p.offline() ? 1 : 0;
            }
        }
        Map<String, GroupStat> gs = new LinkedHashMap<>();
        long committed = 0;
        for (GroupInfo g : broker.groups()) {
            Map<String, Long> lag = new LinkedHashMap<>();
            long c = 0;
            for (GroupInfo.LagInfo l : g.lag()) {
                lag.put(l.topic() + "-" + l.partition(), l.lag());
                c += Math.max(0, l.committedOffset());
            }
            gs.put(g.groupId(), new GroupStat(g.groupId(), c, g.totalLag(), lag));
            committed += c;
        }
        double consumedRate = first ? 0 : Math.max(0, committed - prev.messagesConsumedTotal()) / dt;
        List<ApiStat> apis = new ArrayList<>();
        for (MetricsSnapshot.RequestStats r : counters.requests()) {
            long earlier = before == null ? r.requests() : before.requests().stream().filter(x -> x.apiKey() == r.apiKey())
                    .mapToLong(MetricsSnapshot.RequestStats::requests).findFirst().orElse(0L);
            double[] q = r.totalTimeMs().valuesMs();
            apis.add(new ApiStat(r.api(), r.requests(), Math.max(0, r.requests() - earlier) / dt, r.errors(),
                    r.totalTimeMs().count(), q[0], q[1], q[2], q[3], q[4], q[5], r.totalTimeMs().maxMs()));
        }
        previousCounters = counters;
        int controller = broker.controllerId();
        int brokers = (int) broker.brokers().stream().filter(b -> b.alive()).count();
        return new StatsSnapshot(now, brokers, controller, controller >= 0 && controller == broker.brokerId(), topics.size(),
                parts, under, offline, flow(counters.allTopics(), before == null ? null : before.allTopics(), dt), committed,
                consumedRate, counters.isrShrinks().count(), counters.isrExpands().count(), counters.isrShrinks(), counters.isrExpands(),
                ts, gs, apis,
                counters.replicaMaxLag());
    }

    /**
     * The stats of a topic's partitions, reusing those of {@code before} (the previous sample's)
     * that did not change: {@code before} itself when none did, so that a sample of an idle topic
     * builds nothing per partition and {@link KafkaMetrics} can skip it.
     */
    static List<PartitionStat> partitions(List<PartitionInfo> now, List<PartitionStat> before) {
        if (now.size() == before.size()) {
            Iterator<PartitionStat> b = before.iterator();
            boolean same = true;
            for (Iterator<PartitionInfo> it = now.iterator(); same && it.hasNext();) {
                same = same(it.next(), b.next());
            }
            if (same) {
                return before;
            }
        }
        PartitionStat[] ps = new PartitionStat[now.size()];
        Iterator<PartitionStat> b = before.iterator();
        int i = 0;
        for (PartitionInfo p : now) {
            PartitionStat earlier = b.hasNext() ? b.next() : null;
            ps[i++] = earlier != null && same(p, earlier) ? earlier
                    : new PartitionStat(p.partition(), Math.max(0, p.logEndOffset()), Math.max(0, p.sizeBytes()), p.isr().size());
        }
        return List.of(ps);
    }

    private static boolean same(PartitionInfo p, PartitionStat s) {
        return p.partition() == s.partition() && Math.max(0, p.logEndOffset()) == s.logEndOffset()
                && Math.max(0, p.sizeBytes()) == s.sizeBytes() && p.isr().size() == s.isrSize();
    }

    /** Totals now and rates since {@code before} (no rate on the first sample). */
    static Flow flow(MetricsSnapshot.TopicCounters now, MetricsSnapshot.TopicCounters before, double seconds) {
        MetricsSnapshot.TopicCounters b = before == null ? now : before;
        return new Flow(now.messagesIn(), now.bytesIn(), now.messagesOut(), now.bytesOut(), now.produceRequests(),
                now.failedProduceRequests(), now.fetchRequests(), now.failedFetchRequests(),
                rate(now.messagesIn(), b.messagesIn(), seconds), rate(now.bytesIn(), b.bytesIn(), seconds),
                rate(now.messagesOut(), b.messagesOut(), seconds), rate(now.bytesOut(), b.bytesOut(), seconds));
    }

    private static double rate(long now, long before, double seconds) {
        return Math.max(0, now - before) / seconds;
    }
}
