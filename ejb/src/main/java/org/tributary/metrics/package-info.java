/**
 * The broker's own counters, recorded in the request path: bytes and messages in and out per
 * topic, requests, errors and latency per API, ISR changes. Plain Java; the {@code web} module
 * publishes {@link org.tributary.metrics.MetricsSnapshot snapshots} of them as MicroProfile Metrics.
 */
package org.tributary.metrics;
