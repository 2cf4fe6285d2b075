package org.tributary.e2e;

import org.tributary.testkit.KafkaTools;

/** Kafka's command-line tools this module's tests run against real nodes (through {@link KafkaTools}). */
final class KafkaCli {
    private KafkaCli() {
    }

    /** {@code kafka-metadata-quorum} with these arguments. */
    static String metadataQuorum(String... args) {
        return KafkaTools.run("kafka-metadata-quorum", org.apache.kafka.tools.MetadataQuorumCommand::main, args);
    }

    /** {@code kafka-leader-election} with these arguments. */
    static String leaderElection(String... args) {
        return KafkaTools.run("kafka-leader-election", org.apache.kafka.tools.LeaderElectionCommand::main, args);
    }

    /** {@code kafka-configs} with these arguments. */
    static String configs(String... args) {
        return KafkaTools.run("kafka-configs", kafka.admin.ConfigCommand::main, args);
    }
}
