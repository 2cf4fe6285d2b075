/**
 * Producer ids (cluster-unique blocks) and per-partition idempotent-producer state (KIP-98) with
 * snapshots. The transaction coordinator will live here too.
 */
package org.tributary.txn;
