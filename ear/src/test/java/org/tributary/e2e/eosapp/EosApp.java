package org.tributary.e2e.eosapp;

/**
 * A consume-transform-produce application as a team would write it with Tributary's adapter:
 * {@link CopyListener}, an MDB with container-managed transactions, reads {@value #IN} and sends
 * each record on to {@value #OUT} through a JMS connection factory with local transactions, so
 * the send and the consumed position commit together (exactly once) in the container's
 * transaction. It names no brokers: the adapter finds them through the data grid.
 */
public final class EosApp {
    public static final String ADAPTER = "tributary-jca";
    public static final String FACTORY = "java:app/eosapp/Jms";
    public static final String IN = "eos-in";
    public static final String OUT = "eos-out";
    public static final String GROUP = "eos-copy";
    /** A value ending with this fails its first delivery after it sent its copy: the container rolls the copy back. */
    public static final String FAIL_FIRST = ":fail-first";
    /**
     * A value ending with this marks its first delivery's transaction rollback-only and returns
     * normally, having sent nothing (as a bean that gave up a database write would): it must be
     * delivered again.
     */
    public static final String ROLLBACK_FIRST = ":rollback-only-first";

    private EosApp() {
    }
}
