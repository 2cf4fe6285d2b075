/**
 * Partitions held by this broker: replica state (leader epoch, ISR, high watermark), appends with
 * idempotence checks, and the purgatories where long-poll fetches and acks=all produces wait for
 * events instead of sleeping.
 */
package org.tributary.partition;
