package org.tributary.web.metrics;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
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
import org.tributary.web.metrics.StatsSnapshot.GroupStat;
import org.tributary.web.metrics.StatsSnapshot.PartitionStat;
import org.tributary.web.metrics.StatsSnapshot.TopicStat;

/**
 * Samples the broker every {@value #PERIOD_MS} ms: totals, per-second rates since the previous
 * sample, ISR shrinks and expands seen between samples. The console's charts and the
 * {@code /metrics} gauges read the latest sample.
 */
@ApplicationScoped
public class BrokerStats {
    static final long PERIOD_MS = 2_000;
    private static final Logger LOG = Logger.getLogger(BrokerStats.class.getName());

    @EJB
    private BrokerService broker;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    @jakarta.inject.Inject
    private KafkaMetrics metrics;

    private volatile StatsSnapshot latest = StatsSnapshot.empty();
    private ScheduledFuture<?> task;
    private long isrShrinks;
    private long isrExpands;
    private int failures;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        task = scheduler.scheduleWithFixedDelay(this::sampleSafely, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    public StatsSnapshot latest() {
        return latest;
    }

    private void sampleSafely() {
        try {
            StatsSnapshot s = sample(latest);
            latest = s;
            metrics.update(s);
        } catch (RuntimeException e) {
            if (failures++ == 0) {
                LOG.log(java.util.logging.Level.WARNING, "TRIB-WEB-002 sampling the broker failed (logged once)", e);
            }
        }
    }

    /** Takes a sample; synchronized because ISR change counting compares with the previous one. */
    synchronized StatsSnapshot sample(StatsSnapshot prev) {
        long now = System.currentTimeMillis();
        double dt = Math.max(0.001, (now - prev.atMillis()) / 1000.0);
        boolean first = prev.topics().isEmpty() && prev.messagesInTotal() == 0;
        List<TopicInfo> topics = broker.topics();
        Map<String, TopicStat> ts = new LinkedHashMap<>();
        int parts = 0;
        int under = 0;
        int offline = 0;
        long msgs = 0;
        double msgRate = 0;
        double byteRate = 0;
        for (TopicInfo t : topics) {
            TopicStat before = prev.topics().get(t.name());
            List<PartitionStat> ps = t.partitions().stream()
                    .map(p -> new PartitionStat(p.partition(), Math.max(0, p.logEndOffset()), Math.max(0, p.sizeBytes()), p.isr().size()))
                    .toList();
            if (before != null) {
                countIsrChanges(before.partitions(), ps);
            }
            double mr = before == null ? 0 : Math.max(0, t.messages() - before.messagesIn()) / dt;
            double br = before == null ? 0 : Math.max(0, t.sizeBytes() - before.sizeBytes()) / dt;
            ts.put(t.name(), new TopicStat(t.name(), t.messages(), t.sizeBytes(), mr, br, ps));
            parts += t.partitionCount();
            under += t.underReplicated();
            offline += (int) t.partitions().stream().filter(PartitionInfo::offline).count();
            msgs += t.messages();
            msgRate += mr;
            byteRate += br;
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
        int controller = broker.controllerId();
        int brokers = (int) broker.brokers().stream().filter(b -> b.alive()).count();
        return new StatsSnapshot(now, brokers, controller, controller >= 0 && controller == broker.brokerId(), topics.size(),
                parts, under, offline, msgs, msgRate, byteRate, committed, consumedRate, isrShrinks, isrExpands, ts, gs);
    }

    private void countIsrChanges(List<PartitionStat> before, List<PartitionStat> after) {
        for (PartitionStat a : after) {
            for (PartitionStat b : before) {
                if (a.partition() == b.partition()) {
                    isrShrinks += a.isrSize() < b.isrSize() ? 1 : 0;
                    isrExpands += a.isrSize() > b.isrSize() ? 1 : 0;
                }
            }
        }
    }
}
