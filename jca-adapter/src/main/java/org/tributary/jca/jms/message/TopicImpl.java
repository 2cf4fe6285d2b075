package org.tributary.jca.jms.message;

import jakarta.jms.Topic;
import java.io.Serializable;

/** A JMS topic naming a Tributary topic. */
public record TopicImpl(String name) implements Topic, Serializable {
    @Override
    public String getTopicName() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
