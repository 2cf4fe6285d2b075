/**
 * Producer ids (cluster-unique blocks) and per-partition producer state (KIP-98) with snapshots:
 * idempotence, open and completed transactions, the first unstable offset. And the transaction
 * coordinator: {@link org.tributary.txn.TransactionCoordinator} keeps each transactional id's
 * state in {@code __transaction_state} (on the shared {@link org.tributary.coordinator}
 * machinery), with its rules as pure functions in {@code TxnTransitions} and its markers sent
 * through a {@link org.tributary.txn.TxnMarkerSender}. The group coordinator is to hear of markers
 * on {@code __consumer_offsets} through {@link org.tributary.txn.TransactionMarkerListener}.
 */
package org.tributary.txn;
