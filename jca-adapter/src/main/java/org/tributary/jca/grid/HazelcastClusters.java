package org.tributary.jca.grid;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.Map;
import java.util.TreeMap;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * {@link PublishedClusters} read from a Hazelcast member. The only adapter class that names
 * Hazelcast types: {@link GridBootstrap} loads it only after checking that Hazelcast is on the
 * class path, so the adapter runs without Hazelcast (plain Java SE, unit tests) as before.
 * Maps are only read when the grid already lists them, so asking never creates a map.
 *
 * <p>Thread-safe (as the Hazelcast instance is).
 */
final class HazelcastClusters implements PublishedClusters {
    /** Where Payara binds its member's Hazelcast instance. */
    static final String JNDI_NAME = "payara/Hazelcast";
    static final String MAP_PREFIX = "tributary.metadata.";
    static final String KEY = "image";
    private static final String MAP_SERVICE = "hz:impl:mapService";

    private final HazelcastInstance hz;

    HazelcastClusters(Object hazelcastInstance) {
        this.hz = (HazelcastInstance) hazelcastInstance;
    }

    /** The Payara member's grid, or null when JNDI has no (running) Hazelcast instance. */
    static PublishedClusters lookup() {
        try {
            Object o = new InitialContext().lookup(JNDI_NAME);
            return o instanceof HazelcastInstance h && h.getLifecycleService().isRunning() ? new HazelcastClusters(h) : null;
        } catch (NamingException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public Map<String, String> images() {
        Map<String, String> out = new TreeMap<>();
        for (DistributedObject o : hz.getDistributedObjects()) {
            if (MAP_SERVICE.equals(o.getServiceName()) && o.getName().startsWith(MAP_PREFIX)) {
                IMap<Object, Object> map = hz.getMap(o.getName());
                // the publisher writes a String; anything else is not a published image and is ignored
                Object text = map.get(KEY);
                if (text instanceof String s) {
                    out.put(o.getName().substring(MAP_PREFIX.length()), s);
                }
            }
        }
        return out;
    }
}
