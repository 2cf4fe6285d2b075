/**
 * Producer ids (cluster-unique blocks) and per-partition producer state (KIP-98) with snapshots:
 * idempotence, open and completed transactions, the first unstable offset. The transaction
 * coordinator will live here too; it hears of markers on {@code __consumer_offsets} through
 * {@link org.tributary.txn.TransactionMarkerListener}.
 */
package org.tributary.txn;
