package org.tributary.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * One version of the topic metadata: every topic by name and by id. Immutable; request handlers
 * read exactly one image per request, so a request never sees half of a change.
 */
public final class MetadataImage {
    public static final MetadataImage EMPTY = new MetadataImage(0, Map.of());

    private final long version;
    private final Map<String, TopicImage> byName;
    private final Map<Uuid, TopicImage> byId;

    public MetadataImage(long version, Map<String, TopicImage> topics) {
        this.version = version;
        this.byName = Collections.unmodifiableMap(new TreeMap<>(topics));
        Map<Uuid, TopicImage> ids = new HashMap<>();
        topics.values().forEach(t -> ids.put(t.id(), t));
        this.byId = Collections.unmodifiableMap(ids);
    }

    public long version() {
        return version;
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<TopicImage> topic(Uuid id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Topics ordered by name. */
    public Collection<TopicImage> topics() {
        return byName.values();
    }

    /** A new version with {@code topic} added or replaced. */
    public MetadataImage with(TopicImage topic) {
        Map<String, TopicImage> m = new TreeMap<>(byName);
        m.put(topic.name(), topic);
        return new MetadataImage(version + 1, m);
    }

    /** A new version without the named topic. */
    public MetadataImage without(String name) {
        Map<String, TopicImage> m = new TreeMap<>(byName);
        m.remove(name);
        return new MetadataImage(version + 1, m);
    }
}
