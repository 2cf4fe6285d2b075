/**
 * The storage engine: one {@link org.tributary.log.PartitionLog} per partition directory
 * {@code <topic>-<partition>/}, managed by {@link org.tributary.log.LogManager}.
 *
 * <h2>Files in a partition directory</h2>
 * <ul>
 * <li>{@code <20-digit base offset>.log}: record batches in Kafka's v2 format, exactly as received
 * (offsets and partition leader epoch assigned in the header; LogAppendTime stamped in the header when
 * configured; re-compressed only when {@code compression.type} names a different codec);</li>
 * <li>{@code .index} / {@code .timeindex}: sparse, fixed-width, memory-mapped offset and time indexes,
 * rebuilt from the log when missing or damaged;</li>
 * <li>{@code log-state-checkpoint}: log start offset, recovery point, cleaner offset;
 * {@code leader-epoch-checkpoint}: Kafka's leader epoch file format. Both replaced atomically
 * (temp file, fsync, rename, directory fsync);</li>
 * <li>{@code .clean-shutdown}: written last by a clean close, consumed on open; without it every
 * segment from the recovery point on is rescanned and the log cut at the first torn or corrupt batch;</li>
 * <li>transient: {@code .cleaned} (a compaction in progress, discarded on open), {@code .swap} (a
 * committed compaction, completed on open), {@code .deleted} (segments waiting for
 * {@code file.delete.delay.ms}), {@code .tmp} (a checkpoint being written).</li>
 * </ul>
 *
 * <h2>Rules</h2>
 * No {@code jakarta.*} imports; time comes from an injected {@code org.apache.kafka.common.utils.Time};
 * background work runs on a {@code ScheduledExecutorService} supplied by the container.
 * kafka-clients' record classes ({@code org.apache.kafka.common.record.internal}) are used only inside
 * this package and the protocol packages.
 */
package org.tributary.log;
