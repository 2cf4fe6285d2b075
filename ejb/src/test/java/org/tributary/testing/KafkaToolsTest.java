package org.tributary.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;
import org.tributary.testkit.KafkaTools;

/** The test kit's in-JVM runner of Kafka's tools reports the status a real process would end with. */
class KafkaToolsTest {

    @Test
    void aToolThatExitsInsideItsOwnCatchAllReportsItsFirstExit() {
        // as kafka-tools 4.3.1's TopicCommand: success exits with 0 inside a try whose catch-all exits with 1
        String out = KafkaTools.run("tool", args -> {
            try {
                System.out.println("done");
                Exit.exit(0);
            } catch (Throwable t) {
                Exit.exit(1);
            }
        });
        assertTrue(out.startsWith("done") && out.trim().endsWith("EXIT 0"), out);
        assertFalse(out.contains("EXIT 1"), out);
    }

    @Test
    void aFailingToolReportsItsStatusAndOneThatReturnsReportsNone() {
        String failed = KafkaTools.run("tool", args -> Exit.exit(2));
        assertTrue(failed.trim().endsWith("EXIT 2"), failed);
        String returned = KafkaTools.run("tool", args -> System.out.println("fine"));
        assertFalse(returned.contains("EXIT"), returned);
    }
}
