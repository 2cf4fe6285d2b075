#!/usr/bin/env bash
# Transactions benchmark: Tributary beside Apache Kafka 4.3.1 (KRaft, combined broker+controller
# processes), all on 127.0.0.1, one system after the other, in one run: on one node (RF 1) and on
# three nodes (RF 3, min.insync.replicas=2), measured with the real Java client (src/TxnBench.java).
#
#   bench/transactions/run.sh               full size: 200,000 records of 1 KiB per figure
#   SCALE=0.1 bench/transactions/run.sh     a tenth of the records (a quick first try)
#
# Figures, per system and topology, on one fresh cluster, in this order:
#   warm-up: WARMUP records in transactions of 100; not a figure.
#   txn-100    one transactional producer, RECORDS records of RECORD_SIZE bytes in transactions of 100
#              records (begin, 100 sends, commit), topic "txn100" (PARTITIONS partitions): MB/s
#   txn-1000   the same with transactions of 1,000 records, topic "txn1000": MB/s
#   ctp        consume-transform-produce: RECORDS records are written to "ctp-in" first (not timed),
#              then a read_committed consumer + transactional producer loop (one transaction per poll
#              of at most 500 records, with sendOffsetsToTransaction) copies them to "ctp-out":
#              records/s from the first record polled to the last commit
# Every figure counts only when a read_committed consumer then reads exactly the records committed
# (else n/a with what it read). A figure that cannot be measured is n/a with the reason; every wait is
# bounded; every server this script started is stopped when it ends, also on failure.
#
# Output: a table on stdout and RESULTS.md (RESULTS_FILE to write elsewhere). Ratio Kafka/Tributary for
# every figure (all are rates): above 1 means Tributary is slower.
#
# Environment: SCALE (1), RECORDS (200,000 x SCALE), RECORD_SIZE (1024), PARTITIONS (3), WARMUP
# (RECORDS / 5), TOPOLOGIES ("1 3": node counts), SYSTEMS ("kafka tributary"), BROKER_JVM ("-Xmx512m
# -XX:+UseG1GC", both systems), TOOL_JVM ("-Xmx512m"), KAFKA_PORT (30092: brokers +0..2, controllers
# +3..5 / +1 on one node), TRIB_PORT (30192: Kafka ports +0..2, quorum ports +100..102), TRIB_HTTP_PORT
# (30180), TRIB_GRID_PORT (30170) (all below the ephemeral range 32768-60999), SKIP_BUILD=1 (use the
# Tributary archives already built).
set -euo pipefail

BENCH_NAME=transactions
BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=../lib/cluster.sh
. "$BENCH_DIR/../lib/cluster.sh"   # starting and stopping both clusters, recording figures; the EXIT trap
COMMAND="$(bench_command bench/transactions/run.sh SCALE RECORDS RECORD_SIZE PARTITIONS WARMUP TOPOLOGIES SYSTEMS \
    BROKER_JVM SKIP_BUILD)"
SCALE="${SCALE:-1}"
RECORDS="${RECORDS:-$(awk -v s="$SCALE" 'BEGIN { n = int(200000 * s + 0.5); print (n < 2000 ? 2000 : n) }')}"
RECORD_SIZE="${RECORD_SIZE:-1024}"
PARTITIONS="${PARTITIONS:-3}"
WARMUP="${WARMUP:-$((RECORDS / 5))}"
TOPOLOGIES="${TOPOLOGIES:-1 3}"
SYSTEMS="${SYSTEMS:-kafka tributary}"
BROKER_JVM="${BROKER_JVM:--Xmx512m -XX:+UseG1GC}"
TOOL_JVM="${TOOL_JVM:--Xmx512m}"
KAFKA_PORT="${KAFKA_PORT:-30092}"
TRIB_PORT="${TRIB_PORT:-30192}"
TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-30180}"
TRIB_GRID_PORT="${TRIB_GRID_PORT:-30170}"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/RESULTS.md}"
TOOL_TIMEOUT=$((300 + RECORDS / 100))

for t in $TOPOLOGIES; do
  case "$t" in 1|3) ;; *) say "ERROR: TOPOLOGIES may hold 1 and 3 (node counts), got '$t'"; exit 1 ;; esac
done

# ReplicationBench (create-topic: waits for leaders and the ISR) and TxnBench
prepare_tools "$BENCH_ROOT/replication/src" "$BENCH_DIR/src"

FIGS=(txn-100 txn-1000 ctp)

create_topic() { # SYSTEM TOPIC: fails (with the reason) without leaders
  local rf=$((N < 3 ? N : 3)) min=$((N < 3 ? 1 : 2)) out
  out="$(run_java 120 ReplicationBench create-topic --bootstrap "$(brokers_of "$1")" --topic "$2" --partitions "$PARTITIONS" \
      --rf "$rf" --min-isr "$min" --wait-s 60 --isr-wait-s 20)" || true
  if [ "$(awk -F'\t' '$1 == "TOPIC" { print $2 }' <<<"$out")" = ok ]; then return 0; fi
  echo "topic $2 not ready: $(awk -F'\t' '$1 == "TOPIC" { print $3 }' <<<"$out" | grep . || echo 'the client tool gave no answer (see target/run/tool.log)')"
  return 1
}

txn_figure() { # SYSTEM FIG TOPIC TXN_SIZE
  local sys="$1" fig="$2" why out rc=0
  if ! why="$(create_topic "$sys" "$3")"; then record_all_na "$sys" "$why" "$fig@$N"; return; fi
  say "$sys ($N node(s)): $fig, $RECORDS records of $RECORD_SIZE bytes in transactions of $4"
  out="$(run_java "$TOOL_TIMEOUT" TxnBench produce --bootstrap "$(brokers_of "$sys")" --topic "$3" --records "$RECORDS" \
      --txn-size "$4" --record-size "$RECORD_SIZE" --label "$fig@$N")" || rc=$?
  record_output "$sys" "$out" "$rc" "$fig@$N"
}

ctp_figure() { # SYSTEM
  local sys="$1" why out rc=0
  for t in ctp-in ctp-out; do
    if ! why="$(create_topic "$sys" "$t")"; then record_all_na "$sys" "$why" "ctp@$N"; return; fi
  done
  out="$(run_java "$TOOL_TIMEOUT" TxnBench fill --bootstrap "$(brokers_of "$sys")" --topic ctp-in --records "$RECORDS" \
      --record-size "$RECORD_SIZE")" || rc=$?
  if [ "$(awk -F'\t' '$1 == "FILLED" { print $2 }' <<<"$out")" != "$RECORDS" ]; then
    record_all_na "$sys" "writing the input failed (exit code $rc): $(awk -F'\t' '$1 == "FILLED" { print $3 }' <<<"$out")" "ctp@$N"
    return
  fi
  say "$sys ($N node(s)): ctp, $RECORDS records, one transaction per poll"
  rc=0
  out="$(run_java "$TOOL_TIMEOUT" TxnBench ctp --bootstrap "$(brokers_of "$sys")" --input ctp-in --output ctp-out \
      --records "$RECORDS" --label "ctp@$N" --deadline-s $((TOOL_TIMEOUT - 60)))" || rc=$?
  record_output "$sys" "$out" "$rc" "ctp@$N"
}

run_figures() { # SYSTEM BASEPORT
  local sys="$1" why
  if why="$(create_topic "$sys" warmup)"; then
    say "$sys: warm-up, $WARMUP records"
    run_java "$TOOL_TIMEOUT" TxnBench produce --bootstrap "$(brokers_of "$sys")" --topic warmup --records "$WARMUP" \
        --txn-size 100 --record-size "$RECORD_SIZE" --label warmup > /dev/null || true
  else
    say "$sys: no warm-up: $why"
  fi
  txn_figure "$sys" txn-100 txn100 100
  txn_figure "$sys" txn-1000 txn1000 1000
  ctp_figure "$sys"
}

for N in $TOPOLOGIES; do
  for sys in $SYSTEMS; do
    with_cluster "$sys" "" run_figures "${FIGS[@]/%/@$N}"
  done
done

# --- report -------------------------------------------------------------------------------------
python3 - "$RESULTS" "$RESULTS_FILE" "$TOPOLOGIES" <<PY
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
val, note = {}, {}
for s, f, v, n in ((r + ["", "", "", ""])[:4] for r in rows):
    val[(s, f)] = None if v == "n/a" else float(v)
    note[(s, f)] = n
labels = {"txn-100": "transactional produce, 100 records a transaction (MB/s)",
          "txn-1000": "transactional produce, 1,000 records a transaction (MB/s)",
          "ctp": "consume-transform-produce (records/s)"}
def fmt(v):
    return "n/a" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}")
table = []
for n in sys.argv[3].split():
    topo = "1 node, RF 1" if n == "1" else "3 nodes, RF 3, min.insync.replicas=2"
    for f in ("txn-100", "txn-1000", "ctp"):
        k, t = val.get(("kafka", f"{f}@{n}")), val.get(("tributary", f"{f}@{n}"))
        ratio = f"{k / t:.2f}" if k and t else "-"
        table.append((topo, labels[f], fmt(k), fmt(t), ratio))
print()
for r in table:
    print(" | ".join(r))
notes = [f"- {'Kafka' if s == 'kafka' else 'Tributary'} {f}: {'n/a: ' if val[(s, f)] is None else ''}{note[(s, f)]}"
         for (s, f) in val if note.get((s, f))]
with open(sys.argv[2], "w") as out:
    out.write("# Transactions benchmark results\n\n"
              "Generated by \`bench/transactions/run.sh\` (see bench/README.md for what each figure measures).\n\n"
              "- Date: $STARTED_AT\n- Command: \`$COMMAND\`\n"
              "- Machine: $(nproc) cores; load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)\n"
              "- Apache Kafka 4.3.1 (KRaft, combined broker+controller processes) and Tributary (Payara Micro nodes, "
              "\`server-config/bin/tributary cluster N\`), both \`$BROKER_JVM\` per node, on 127.0.0.1, one system after the other.\n"
              "- Workload: $RECORDS records of $RECORD_SIZE bytes per figure, $PARTITIONS partitions; one transactional producer "
              "(kafka-clients 4.3.1 defaults); every figure checked by a read_committed consumer reading back exactly what was committed.\n"
              "- Noise: this machine is shared with other builds and tests on the same 2 cores, so absolute figures carry "
              "±30 % noise or more; one run.\n\n")
    out.write("| topology | figure | Kafka | Tributary | Kafka / Tributary |\n|---|---|---:|---:|---:|\n")
    for r in table:
        out.write("| " + " | ".join(r) + " |\n")
    out.write("\nAbove 1 in the last column means Tributary is slower.\n")
    if notes:
        out.write("\n## Notes (as the client tool reported them)\n\n" + "\n".join(notes) + "\n")
print(f"\n(written to {sys.argv[2]})")
PY
say "results: $RESULTS_FILE (raw figures: $RESULTS)"
