/**
 * Producer ids (cluster-unique blocks) and per-partition idempotent-producer state (KIP-98) with
 * snapshots, and the transaction coordinator: {@link org.tributary.txn.TransactionCoordinator}
 * keeps each transactional id's state in {@code __transaction_state} (on the shared
 * {@link org.tributary.coordinator} machinery), with its rules as pure functions in
 * {@code TxnTransitions} and its markers sent through a {@link org.tributary.txn.TxnMarkerSender}.
 */
package org.tributary.txn;
