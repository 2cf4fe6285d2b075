package org.tributary.api;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.partition.Partition;

/**
 * DescribeLogDirs: this broker's one log directory and the replicas it holds there (all, or those
 * of the named topics), with their sizes and how far each log end is behind the high watermark.
 * Kafka's {@code kafka-reassign-partitions --generate} reads it to print the current assignment.
 */
final class LogDirsHandler {
    private final ApiServices services;

    LogDirsHandler(ApiServices services) {
        this.services = services;
    }

    CompletionStage<ApiMessage> describe(RequestContext ctx, ApiMessage message) {
        services.authorizer().requireCluster(ctx, org.apache.kafka.common.acl.AclOperation.DESCRIBE);
        DescribeLogDirsRequestData req = (DescribeLogDirsRequestData) message;
        Map<String, List<DescribeLogDirsResponseData.DescribeLogDirsPartition>> byTopic = new TreeMap<>();
        for (Map.Entry<TopicPartition, Partition> e : services.replicas().partitions().entrySet()) {
            TopicPartition tp = e.getKey();
            if (req.topics() != null) {
                DescribeLogDirsRequestData.DescribableLogDirTopic t = req.topics().find(tp.topic());
                if (t == null || !t.partitions().contains(tp.partition())) {
                    continue;
                }
            }
            Partition p = e.getValue();
            byTopic.computeIfAbsent(tp.topic(), n -> new ArrayList<>()).add(new DescribeLogDirsResponseData.DescribeLogDirsPartition()
                    .setPartitionIndex(tp.partition()).setPartitionSize(p.log().sizeInBytes())
                    .setOffsetLag(Math.max(0, p.highWatermark() - p.logEndOffset())).setIsFutureKey(false));
        }
        List<DescribeLogDirsResponseData.DescribeLogDirsTopic> topics = new ArrayList<>();
        byTopic.forEach((name, parts) -> {
            parts.sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
            topics.add(new DescribeLogDirsResponseData.DescribeLogDirsTopic().setName(name).setPartitions(parts));
        });
        DescribeLogDirsResponseData.DescribeLogDirsResult dir = new DescribeLogDirsResponseData.DescribeLogDirsResult()
                .setErrorCode(Errors.NONE.code()).setLogDir(services.replicas().logDir().toAbsolutePath().toString()).setTopics(topics);
        if (ctx.apiVersion() >= 4) {
            try {
                FileStore store = Files.getFileStore(services.replicas().logDir());
                dir.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException e) {
                // unknown: the fields keep their -1 defaults
            }
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
                .setResults(new ArrayList<>(List.of(dir))));
    }
}
