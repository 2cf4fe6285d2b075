package org.tributary.jca.api;

/**
 * The adapter's own message listener: an MDB implementing it receives each record. Returning
 * normally marks the record processed (its offset is committed); throwing makes the adapter
 * redeliver it after a back-off, and after {@code maxDeliveryAttempts} send it to the dead-letter
 * topic.
 */
public interface RecordListener {

    void onRecord(TributaryRecord record);
}
