#!/usr/bin/env bash
# Replication benchmark: a 3-node Tributary cluster beside a 3-node Apache Kafka 4.3.1 KRaft cluster
# (combined broker+controller processes), all on 127.0.0.1, one system after the other, in one run,
# measured with Kafka's own perf tools on topics with replication factor 3 and min.insync.replicas=2.
#
#   bench/replication/run.sh               full size: 1,000,000 records of 1 KiB (1.02 GB)
#   SCALE=0.05 bench/replication/run.sh    a twentieth of the records (a quick first try)
#
# Figures, per system, on one fresh cluster, in this order:
#   0. warm-up: WARMUP records through ProducerPerformance (acks=all) to a topic of its own; not a figure.
#   1. Producer MB/s: ProducerPerformance, RECORDS records of RECORD_SIZE bytes, acks=all, no rate
#      limit, to topic "perf" (PARTITIONS partitions, RF 3).
#   4. Broker CPU seconds per GB produced: utime+stime of the 3 broker processes (/proc/PID/stat)
#      before and after figure 1, over RECORDS x RECORD_SIZE / 10^9. Afterwards (not timed) the
#      bytes of the topic's log segments on the 3 nodes over the bytes produced: the copies kept (3
#      when every replica holds the data).
#   2. Consumer MB/s: ConsumerPerformance reads the RECORDS records of "perf" (fetch.MB.sec, which
#      leaves out the group join; the tool's MB.sec is in the note), CONSUME_ROUNDS times, each a new
#      group from the beginning; the median (one read of 1 GB takes only a few seconds, so a single
#      one is at the mercy of whatever else the machine does in them).
#   3. End-to-end latency p50/p99: EndToEndLatency, LATENCY_RECORDS records of RECORD_SIZE, acks=all,
#      one at a time, topic "e2e" (1 partition, RF 3); the tool reports whole milliseconds.
#   5. Failover: ReplicationBench (src/) sends to partition 0 of topic "failover" (RF 3) with an
#      idempotent acks=all producer, FAILOVER_RATE records/s; once partition 0's ISR is complete (or
#      after 30 s) it
#      kill -9s the partition's leader and reports the time from the kill until the next acknowledged
#      record of partition 0 (FAILOVER_DEADLINE s at most). FAILOVER_ROUNDS rounds; the killed node is
#      restarted after each; the median of the rounds.
# A figure that cannot be measured is n/a with the reason; every wait is bounded; every server this
# script started is stopped when it ends, also on failure.
#
# Output: a table on stdout and RESULTS.md (RESULTS_FILE to write elsewhere). Ratios: Kafka/Tributary
# for MB/s, Tributary/Kafka for everything else, so that above 1 means Tributary is worse.
#
# Environment: SCALE (1), RECORDS (1,000,000 x SCALE), RECORD_SIZE (1024), PARTITIONS (3), WARMUP
# (RECORDS / 5), LATENCY_RECORDS (max(200, 10,000 x SCALE)), CONSUME_ROUNDS (3), FAILOVER_ROUNDS (3), FAILOVER_RATE (1000),
# FAILOVER_DEADLINE (60), PRODUCER_PROPS (extra ProducerPerformance properties, e.g. "linger.ms=10"),
# SYSTEMS ("kafka tributary"), BROKER_JVM ("-Xmx512m -XX:+UseG1GC", both systems), TOOL_JVM
# ("-Xmx512m"), KAFKA_PORT (31092: brokers +0..2, controllers +3..5), TRIB_PORT (31192: Kafka ports
# +0..2, quorum ports +100..102), TRIB_HTTP_PORT (31180), TRIB_GRID_PORT (31170) (all below the ephemeral
# range 32768-60999, where a client's own port can take a server's), SKIP_BUILD=1 (use the
# Tributary archives already built).
set -euo pipefail

BENCH_NAME=replication
BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=../lib/cluster.sh
. "$BENCH_DIR/../lib/cluster.sh"   # starting and stopping both clusters, recording figures; the EXIT trap
COMMAND="$(bench_command bench/replication/run.sh SCALE RECORDS RECORD_SIZE PARTITIONS WARMUP LATENCY_RECORDS \
    FAILOVER_ROUNDS FAILOVER_RATE FAILOVER_DEADLINE PRODUCER_PROPS SYSTEMS BROKER_JVM SKIP_BUILD)"
SCALE="${SCALE:-1}"
RECORDS="${RECORDS:-$(awk -v s="$SCALE" 'BEGIN { n = int(1000000 * s + 0.5); print (n < 1000 ? 1000 : n) }')}"
RECORD_SIZE="${RECORD_SIZE:-1024}"
PARTITIONS="${PARTITIONS:-3}"
WARMUP="${WARMUP:-$((RECORDS / 5))}"
LATENCY_RECORDS="${LATENCY_RECORDS:-$(awk -v s="$SCALE" 'BEGIN { n = int(10000 * s + 0.5); print (n < 200 ? 200 : n) }')}"
FAILOVER_ROUNDS="${FAILOVER_ROUNDS:-3}"
CONSUME_ROUNDS="${CONSUME_ROUNDS:-3}"
FAILOVER_RATE="${FAILOVER_RATE:-1000}"
FAILOVER_DEADLINE="${FAILOVER_DEADLINE:-60}"
PRODUCER_PROPS="${PRODUCER_PROPS:-}"
SYSTEMS="${SYSTEMS:-kafka tributary}"
BROKER_JVM="${BROKER_JVM:--Xmx512m -XX:+UseG1GC}"
TOOL_JVM="${TOOL_JVM:--Xmx512m}"
KAFKA_PORT="${KAFKA_PORT:-31092}"
TRIB_PORT="${TRIB_PORT:-31192}"
TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-31180}"
TRIB_GRID_PORT="${TRIB_GRID_PORT:-31170}"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/RESULTS.md}"
RF=3
MIN_ISR=2
CLK_TCK="$(getconf CLK_TCK)"
BYTES=$((RECORDS * RECORD_SIZE))
GB="$(awk -v b="$BYTES" 'BEGIN { printf "%.6f", b / 1e9 }')"

prepare_tools "$BENCH_DIR/src"

# --- helpers ------------------------------------------------------------------------------------
# perf_tool TIMEOUT_S NAME CLASS ARGS...: one of Kafka's tools, bounded; stdout is its output, its
# stderr is kept in WORK/NAME.err (and tool.log)
perf_tool() {
  local limit="$1" name="$2" rc=0; shift 2
  run_java "$limit" "$@" 2> "$WORK/$name.err" || rc=$?
  cat "$WORK/$name.err" >> "$WORK/tool.log"
  return "$rc"
}
first_error() { # NAME: the first exception or error line the tool wrote to stderr
  { grep -m 1 -E 'Exception|Error|ERROR' "$WORK/$1.err" || true; } | cut -c1-300
}
failed_because() { # NAME RC: why a tool gave no figure
  local why; why="$(first_error "$1")"
  echo "exit code $2$([ "$2" = 124 ] && echo ', timed out')${why:+; stderr: $why}; see target/run/$1.err"
}
ticks() { # ID=PID,...: utime+stime of those processes, in clock ticks; fails unless all N are there
  local kv pid sum=0 n=0 t
  for kv in ${1//,/ }; do
    pid="${kv#*=}"
    t="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)" || return 1
    sum=$((sum + t)); n=$((n + 1))
  done
  [ "$n" -eq "$N" ] && echo "$sum"
}
stored_bytes() { # SYSTEM TOPIC: bytes of the topic's log segments on all 3 nodes (indexes left out)
  local dirs=() i
  for ((i = 0; i < N; i++)); do
    if [ "$1" = kafka ]; then dirs+=("$KDIR/data-$i"); else dirs+=("$TDATA/node-$i"); fi
  done
  find "${dirs[@]}" -path "*/$2-[0-9]*/*" -name '*.log' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
create_topic() { # SYSTEM TOPIC PARTITIONS: prints the partitions' state; fails (with the reason) without leaders
  local out
  out="$(run_java 120 ReplicationBench create-topic --bootstrap "$(brokers_of "$1")" --topic "$2" --partitions "$3" \
      --rf "$RF" --min-isr "$MIN_ISR" --wait-s 60 --isr-wait-s 20)" || true
  if [ "$(awk -F'\t' '$1 == "TOPIC" { print $2 }' <<<"$out")" = ok ]; then
    say "$1: topic $(awk -F'\t' '$1 == "TOPIC" { print $3 }' <<<"$out")"
    return 0
  fi
  echo "topic $2 not ready: $(awk -F'\t' '$1 == "TOPIC" { print $3 }' <<<"$out" | grep . || echo 'the client tool gave no answer (see target/run/tool.log)')"
  return 1
}
producer_perf() { # SYSTEM NAME TOPIC RECORDS: ProducerPerformance, acks=all; its summary line on stdout
  # shellcheck disable=SC2086
  perf_tool $((600 + $4 / 200)) "$1-$2" org.apache.kafka.tools.ProducerPerformance --topic "$3" --num-records "$4" \
      --record-size "$RECORD_SIZE" --throughput -1 \
      --producer-props "bootstrap.servers=$(brokers_of "$1")" acks=all $PRODUCER_PROPS | grep 'records sent' | tail -n 1
}

# --- the figures --------------------------------------------------------------------------------
PRODUCE_FIGS=(produce-mbs cpu-per-gb copies consume-mbs)
E2E_FIGS=(e2e-p50 e2e-p99)
ROUND_FIGS=(); for ((r = 1; r <= FAILOVER_ROUNDS; r++)); do ROUND_FIGS+=("failover-$r"); done

produce_and_consume() { # SYSTEM: figures 1, 4, 2
  local sys="$1" why out rc pids before after sent stored
  if ! why="$(create_topic "$sys" perf "$PARTITIONS")"; then record_all_na "$sys" "$why" "${PRODUCE_FIGS[@]}"; return; fi
  pids="$("${sys}_pids")"
  before="$(ticks "$pids")" || before=""
  say "$sys: figure 1, $RECORDS records of $RECORD_SIZE bytes, acks=all, $PARTITIONS partitions, RF $RF"
  rc=0; out="$(producer_perf "$sys" produce perf "$RECORDS")" || rc=$?
  after="$(ticks "$pids")" || after=""
  sent="$(awk '{ print $1 }' <<<"$out")"
  if [ -z "$out" ] || [ "$sent" != "$RECORDS" ]; then
    why="ProducerPerformance: ${sent:-no} records acknowledged of $RECORDS ($(failed_because "$sys-produce" "$rc"))"
    record_all_na "$sys" "$why" produce-mbs cpu-per-gb
  else
    say "$sys produce: $out"
    record "$sys" produce-mbs "$(sed -n 's/.*records\/sec (\([0-9.]*\) MB\/sec).*/\1/p' <<<"$out")" \
        "$(sed -e 's/^[0-9]* records sent, //' <<<"$out")"
    if [ -n "$before" ] && [ -n "$after" ]; then
      record "$sys" cpu-per-gb "$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" -v g="$GB" 'BEGIN { printf "%.2f", (b - a) / t / g }')" \
          "$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / t }') CPU s of the 3 broker processes ($pids) for $GB GB"
    else
      record "$sys" cpu-per-gb n/a "not the $N broker processes from start to end of the produce phase (pids: ${pids:-none})"
    fi
  fi

  # figure 2: CONSUME_ROUNDS reads of the whole topic, each by a new group from the beginning; the median
  local r got vals=() notes=() failed=""
  for ((r = 1; r <= CONSUME_ROUNDS; r++)); do
    say "$sys: figure 2, ConsumerPerformance, $RECORDS records (round $r of $CONSUME_ROUNDS)"
    rc=0; out="$(perf_tool $((600 + RECORDS / 200)) "$sys-consume-$r" org.apache.kafka.tools.ConsumerPerformance \
        --bootstrap-server "$(brokers_of "$sys")" --topic perf --num-records "$RECORDS" --timeout 30000 \
        | grep -E '^[^,]+, [^,]+, [0-9.]+, [0-9.]+, [0-9]+' | tail -n 1)" || rc=$?
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
    # fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    got="$(awk -F', ' '{ print $5 }' <<<"$out")"
    if [ -n "$out" ] && [ "${got:-0}" -ge "$RECORDS" ]; then
      say "$sys consume: $out"
      vals+=("$(awk -F', ' '{ print $9 }' <<<"$out")")
      notes+=("$(awk -F', ' -v r="$r" '{ printf "round %s: %s MB in %.1f s of fetching, %s fetch.MB.sec (MB.sec with the group join of %s ms: %s)", r, $3, $8 / 1000, $9, $7, $4 }' <<<"$out")")
    else
      failed="ConsumerPerformance read ${got:-no} of $RECORDS records in round $r ($(failed_because "$sys-consume-$r" "$rc"))"
      break
    fi
  done
  if [ -n "$failed" ]; then
    record "$sys" consume-mbs n/a "$failed"
  else
    local joined; joined="$(printf '%s; ' "${notes[@]}")"
    record "$sys" consume-mbs "$(printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')" \
        "median of $CONSUME_ROUNDS rounds; ${joined%; }"
  fi

  # not timed: how many copies of the data the 3 nodes keep (segment bytes over bytes produced)
  stored="$(stored_bytes "$sys" perf)"
  record "$sys" copies "$(awk -v s="$stored" -v b="$BYTES" 'BEGIN { printf "%.2f", s / b }')" \
      "$stored bytes of log segments of topic perf on the 3 nodes for $BYTES bytes of record values produced"
}

end_to_end() { # SYSTEM: figure 3
  local sys="$1" why out rc
  if ! why="$(create_topic "$sys" e2e 1)"; then record_all_na "$sys" "$why" "${E2E_FIGS[@]}"; return; fi
  say "$sys: figure 3, EndToEndLatency, $LATENCY_RECORDS records of $RECORD_SIZE bytes, acks=all"
  rc=0; out="$(perf_tool $((300 + LATENCY_RECORDS / 10)) "$sys-e2e" org.apache.kafka.tools.EndToEndLatency \
      --bootstrap-server "$(brokers_of "$sys")" --topic e2e --num-records "$LATENCY_RECORDS" --producer-acks all \
      --record-size "$RECORD_SIZE")" || rc=$?
  local pct; pct="$(sed -n 's/^Percentiles: 50th = \([0-9]*\), 99th = \([0-9]*\), 99.9th = \([0-9]*\).*/\1 \2 \3/p' <<<"$out")"
  if [ -n "$pct" ]; then
    local note; note="$(grep -m 1 '^Avg latency' <<<"$out" || true); 99.9th $(cut -d' ' -f3 <<<"$pct") ms; $LATENCY_RECORDS records"
    say "$sys e2e: p50 $(cut -d' ' -f1 <<<"$pct") ms, p99 $(cut -d' ' -f2 <<<"$pct") ms ($note)"
    record "$sys" e2e-p50 "$(cut -d' ' -f1 <<<"$pct")" "$note"
    record "$sys" e2e-p99 "$(cut -d' ' -f2 <<<"$pct")" "$note"
  else
    record_all_na "$sys" "EndToEndLatency printed no percentiles ($(failed_because "$sys-e2e" "$rc"))" "${E2E_FIGS[@]}"
  fi
}

failover_round() { # SYSTEM ROUND: figure 5, one round
  run_java $((FAILOVER_DEADLINE + 180)) ReplicationBench failover --bootstrap "$(brokers_of "$1")" --topic failover \
      --pids "$("${1}_pids")" --label "failover-$2" --rate "$FAILOVER_RATE" --record-size "$RECORD_SIZE" \
      --deadline-s "$FAILOVER_DEADLINE" --isr-wait-s 30
}

run_figures() { # SYSTEM BASEPORT
  local sys="$1" why
  if why="$(create_topic "$sys" warmup "$PARTITIONS")"; then
    say "$sys: warm-up, $WARMUP records"
    producer_perf "$sys" warmup warmup "$WARMUP" > /dev/null || true
  else
    say "$sys: no warm-up: $why"
  fi
  produce_and_consume "$sys"
  end_to_end "$sys"
  if why="$(create_topic "$sys" failover "$PARTITIONS")"; then
    failover_rounds "$sys" "$FAILOVER_ROUNDS" "figure 5" failover_round
  else
    record_all_na "$sys" "$why" "${ROUND_FIGS[@]}"
  fi
}

for sys in $SYSTEMS; do
  with_cluster "$sys" "" run_figures "${PRODUCE_FIGS[@]}" "${E2E_FIGS[@]}" "${ROUND_FIGS[@]}"
done

# --- report -------------------------------------------------------------------------------------
PREAMBLE="$(results_preamble)" python3 - "$RESULTS" "$RESULTS_FILE" "$FAILOVER_ROUNDS" <<PY
import os, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
val, note = {}, {}
for s, f, v, n in ((r + ["", "", "", ""])[:4] for r in rows):
    val[(s, f)] = None if v == "n/a" else float(v)
    note[(s, f)] = n
rounds = int(sys.argv[3])
for s in ("kafka", "tributary"):
    ok = [v for v in (val.get((s, f"failover-{r}")) for r in range(1, rounds + 1)) if v is not None]
    if (s, "failover-1") in val:
        val[(s, "failover-median")] = statistics.median(ok) if ok else None
        note[(s, "failover-median")] = f"{len(ok)} of {rounds} rounds" if ok else "no round measured"
# (figure, label, ratio): "K/T" for throughput, "T/K" otherwise; above 1 = Tributary worse
figs = [
    ("produce-mbs", "1. produce, acks=all (MB/s)", "K/T"),
    ("consume-mbs", "2. consume (MB/s)", "K/T"),
    ("e2e-p50", "3. end-to-end latency p50 (whole ms)", "T/K"),
    ("e2e-p99", "3. end-to-end latency p99 (whole ms)", "T/K"),
    ("cpu-per-gb", "4. broker CPU s per GB produced", "T/K"),
    ("copies", "4. copies kept on the 3 nodes (bytes / produced)", "-"),
] + [(f"failover-{r}", f"5. kill -9 leader -> next ack, round {r} (ms)", "T/K") for r in range(1, rounds + 1)] + [
    ("failover-median", "5. ... median of the rounds (ms)", "T/K"),
]
def fmt(v):
    return "n/a" if v is None else (f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}")
table = []
for f, label, kind in figs:
    k, t = val.get(("kafka", f)), val.get(("tributary", f))
    if kind == "-" or not k or not t:  # n/a, or 0 (a latency below 1 ms, as the tool rounds it)
        ratio = "-"
    else:
        ratio = f"{(t / k if kind == 'T/K' else k / t):.2f} {kind}"
    table.append((label, fmt(k), fmt(t), ratio))
w = max(len(r[0]) for r in table)
print()
print(f"{'figure':<{w}} {'Kafka':>9} {'Tributary':>10} {'ratio':>10}")
for r in table:
    print(f"{r[0]:<{w}} {r[1]:>9} {r[2]:>10} {r[3]:>10}")
legend = ("ratio: K/T = Kafka / Tributary for MB/s, T/K = Tributary / Kafka for the rest; above 1 means Tributary "
          "is worse. MB = 2^20 bytes (as the Kafka tools count), GB = 10^9 bytes of record values.")
copies = val.get(("tributary", "copies"))
warning = ""
if copies is not None and copies < $RF - 0.5:
    warning = (f"Tributary kept {copies:.2f} copies of the produced data on its 3 nodes, not $RF: it did not replicate "
               "partition data when these figures were taken (only the leader holds a partition's records), so its "
               "figures are not comparable to Kafka's yet, and a partition whose leader is killed has no other copy "
               "to fail over to.")
elif ("tributary", "copies") not in val and "tributary" in "$SYSTEMS":
    warning = "Whether Tributary replicated partition data could not be checked (no produce phase)."
groups = {}
for s, name in (("kafka", "Kafka"), ("tributary", "Tributary")):
    for f, label, _ in figs:
        n = note.get((s, f), "")
        if (s, f) in val and n:
            text = ("n/a: " if val[(s, f)] is None else "") + n
            groups.setdefault((name, text), []).append(label.split(" ")[0].rstrip(".") + ("" if not f.startswith("failover-") else f" ({f[9:]})"))
notes = [f"- {name}, figure {', '.join(dict.fromkeys(fs))}: {text}" for (name, text), fs in groups.items()]
print(legend)
if warning:
    print("\nWARNING: " + warning)
if notes:
    print("\nNotes and reasons for n/a:")
    print("\n".join(notes))

with open(sys.argv[2], "w") as out:
    out.write("# Replication benchmark results\n\n"
              "Generated by \`bench/replication/run.sh\` (see bench/README.md for what each figure measures).\n\n"
              + os.environ["PREAMBLE"] + "\n"
              "- Workload: $RECORDS records of $RECORD_SIZE bytes ($GB GB) in $PARTITIONS partitions, replication factor $RF, "
              "min.insync.replicas=$MIN_ISR, acks=all; end-to-end latency over $LATENCY_RECORDS records; failover "
              "$FAILOVER_ROUNDS rounds at $FAILOVER_RATE records/s.\n"
              "- Noise: this machine is shared with other builds and tests on the same 2 cores, so absolute figures "
              "carry ±30 % noise or more; one run, no repetition except the rounds of figures 2 and 5.\n\n")
    if warning:
        out.write(f"**{warning}**\n\n")
    out.write("| figure | Kafka | Tributary | ratio |\n|---|---:|---:|---:|\n")
    for r in table:
        out.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |\n")
    out.write("\n" + legend + "\n")
    if notes:
        out.write("\n## Notes and reasons for n/a (as the tools reported them)\n\n" + "\n".join(notes) + "\n")
PY
say "results: $RESULTS_FILE (raw figures: $RESULTS)"
