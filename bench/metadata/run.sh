#!/usr/bin/env bash
# Metadata benchmark: a 3-node Tributary cluster beside a 3-node Apache Kafka 4.3.1 KRaft cluster
# (combined broker+controller processes), all on 127.0.0.1, one system after the other, in one run.
#
#   bench/metadata/run.sh                full size: 1,000 topics x 10 partitions, 50 topics for figure 2
#   SCALE=0.1 bench/metadata/run.sh      a tenth of the topics (a quick first try)
#
# Figures, per system:
#   1. CreateTopics of TOPICS topics x PARTITIONS partitions in batches of BATCH through the Admin
#      client, replication factor 1 and (on a fresh cluster) 3: total seconds and topics/s.
#   2. From each CreateTopics answer (PROP_TOPICS topics, one at a time) until EVERY broker's own
#      Metadata answer (raw requests on one socket per broker) shows the topic with a leader for
#      every partition: p50/p99/max in ms.
#   3. From kill -9 of the active controller until the next successful CreateTopics (Admin client,
#      1 s request timeout, retried), FAILOVER_ROUNDS times; the killed node is restarted between
#      rounds. The controller: DescribeQuorum's leader; for a system that does not answer
#      DescribeQuorum, the controller id of DescribeCluster, which every broker must name alike.
#      Its pid: Kafka's own processes; Tributary's <data>/node-i/tributary.pid, matched to the id by
#      <data>/node-i/meta.properties (node.id).
# A figure that cannot be measured is reported as n/a with the reason; every wait is bounded.
#
# Order per system: cluster A (fresh): figure 2, figure 3, figure 1 with RF 1; cluster B (fresh):
# figure 1 with RF 3. Output: a table on stdout and RESULTS.md (RESULTS_FILE to write elsewhere).
#
# Environment: SCALE (1), TOPICS (1000*SCALE), PARTITIONS (10), BATCH (50), PROP_TOPICS
# (max(5, 50*SCALE)), PROP_RF (1), FAILOVER_ROUNDS (3), SYSTEMS ("kafka tributary"), BROKER_JVM
# ("-Xmx512m -XX:+UseG1GC", both systems), KAFKA_PORT (29092: brokers +0..2, controllers +3..5),
# TRIB_PORT (29192: Kafka ports +0..2, quorum ports +100..102), TRIB_HTTP_PORT (29180),
# TRIB_GRID_PORT (29170), SKIP_BUILD=1 (use the Tributary archives already built).
set -euo pipefail

BENCH_NAME=metadata
BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=../lib/cluster.sh
. "$BENCH_DIR/../lib/cluster.sh"   # starting and stopping both clusters, recording figures; the EXIT trap
COMMAND="$(bench_command bench/metadata/run.sh SCALE TOPICS PARTITIONS BATCH PROP_TOPICS PROP_RF FAILOVER_ROUNDS SYSTEMS \
    BROKER_JVM SKIP_BUILD)"
SCALE="${SCALE:-1}"
TOPICS="${TOPICS:-$(awk -v s="$SCALE" 'BEGIN { n = int(1000 * s + 0.5); print (n < 1 ? 1 : n) }')}"
PARTITIONS="${PARTITIONS:-10}"
BATCH="${BATCH:-50}"
PROP_TOPICS="${PROP_TOPICS:-$(awk -v s="$SCALE" 'BEGIN { n = int(50 * s + 0.5); print (n < 5 ? 5 : n) }')}"
PROP_RF="${PROP_RF:-1}"
FAILOVER_ROUNDS="${FAILOVER_ROUNDS:-3}"
SYSTEMS="${SYSTEMS:-kafka tributary}"
BROKER_JVM="${BROKER_JVM:--Xmx512m -XX:+UseG1GC}"
TOOL_JVM="${TOOL_JVM:--Xmx384m}"
KAFKA_PORT="${KAFKA_PORT:-29092}"
TRIB_PORT="${TRIB_PORT:-29192}"
TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-29180}"
TRIB_GRID_PORT="${TRIB_GRID_PORT:-29170}"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/RESULTS.md}"

prepare_tools

# tool TIMEOUT_S ARGS...: runs MetadataBench, bounded; its FIG lines go to stdout
tool() { local limit="$1"; shift; run_java "$limit" MetadataBench "$@"; }
ROUND_FIGS=(); for ((r = 1; r <= FAILOVER_ROUNDS; r++)); do ROUND_FIGS+=("failover-$r"); done
PROP_FIGS=(prop-p50 prop-p99 prop-max)

# --- the figures --------------------------------------------------------------------------------
failover_round() { # SYSTEM ROUND: figure 3, one round
  local brokers quorum_only=false; brokers="$(brokers_of "$1")"
  [ "$1" = kafka ] && quorum_only=true   # Kafka's DescribeCluster names a random broker
  tool 300 failover --bootstrap "$brokers" --brokers "$brokers" --pids "$("${1}_pids")" --prefix "failover-r$2" \
      --label "failover-$2" --quorum-only "$quorum_only" --request-timeout-ms 1000 --deadline-s 60 --healthy-wait-s 60
}

# cluster_a SYSTEM BASEPORT: figure 2, figure 3, figure 1 (RF 1)
cluster_a() {
  local sys="$1" base="$2" out rc brokers
  brokers="$(ports "$base")"
  say "$sys: figure 2, $PROP_TOPICS topics x $PARTITIONS partitions, RF $PROP_RF"
  rc=0; out="$(tool 1800 propagate --bootstrap "$brokers" --brokers "$brokers" --prefix prop --topics "$PROP_TOPICS" \
      --partitions "$PARTITIONS" --rf "$PROP_RF" --visible-wait-s 30)" || rc=$?
  record_output "$sys" "$out" "$rc" "${PROP_FIGS[@]}"

  failover_rounds "$sys" "$FAILOVER_ROUNDS" "figure 3" failover_round
  wait_healthy "$brokers" 60
  say "$sys: figure 1, $TOPICS topics x $PARTITIONS partitions, RF 1, batches of $BATCH"
  rc=0; out="$(tool 1800 create --bootstrap "$brokers" --brokers "$brokers" --prefix rf1 --topics "$TOPICS" \
      --partitions "$PARTITIONS" --rf 1 --batch "$BATCH" --label create-rf1 --deadline-s 1200)" || rc=$?
  record_output "$sys" "$out" "$rc" create-rf1-s create-rf1-tps
}

# cluster_b SYSTEM BASEPORT: figure 1 (RF 3)
cluster_b() {
  local sys="$1" base="$2" out rc brokers
  brokers="$(ports "$base")"
  say "$sys: figure 1, $TOPICS topics x $PARTITIONS partitions, RF 3, batches of $BATCH"
  rc=0; out="$(tool 1800 create --bootstrap "$brokers" --brokers "$brokers" --prefix rf3 --topics "$TOPICS" \
      --partitions "$PARTITIONS" --rf 3 --batch "$BATCH" --label create-rf3 --deadline-s 1200)" || rc=$?
  record_output "$sys" "$out" "$rc" create-rf3-s create-rf3-tps
}

ALL_A=("${PROP_FIGS[@]}" "${ROUND_FIGS[@]}" create-rf1-s create-rf1-tps)
ALL_B=(create-rf3-s create-rf3-tps)
for sys in $SYSTEMS; do
  with_cluster "$sys" " (cluster A)" cluster_a "${ALL_A[@]}"
  with_cluster "$sys" " (cluster B)" cluster_b "${ALL_B[@]}"
done

# --- report -------------------------------------------------------------------------------------
python3 - "$RESULTS" "$RESULTS_FILE" <<PY
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
val, note = {}, {}
for s, f, v, n in ((r + ["", "", "", ""])[:4] for r in rows):
    val[(s, f)] = None if v == "n/a" else float(v)
    note[(s, f)] = n
rounds = int("$FAILOVER_ROUNDS")
for s in ("kafka", "tributary"):
    got = [val.get((s, f"failover-{r}")) for r in range(1, rounds + 1)]
    ok = [g for g in got if g is not None]
    if (s, "failover-1") in val:
        val[(s, "failover-median")] = statistics.median(ok) if ok else None
        note[(s, "failover-median")] = (f"{len(ok)} of {rounds} rounds" if ok else "no round measured")
T, P, PT, PRF = "$TOPICS", "$PARTITIONS", "$PROP_TOPICS", "$PROP_RF"
figs = [
    ("create-rf1-s", f"1. create {T} topics x {P} partitions, RF 1 (s)", "lower"),
    ("create-rf1-tps", "1. ... RF 1 (topics/s)", "higher"),
    ("create-rf3-s", f"1. create {T} topics x {P} partitions, RF 3 (s)", "lower"),
    ("create-rf3-tps", "1. ... RF 3 (topics/s)", "higher"),
    ("prop-p50", f"2. answer -> on every broker, p50 (ms; {PT} topics, RF {PRF})", "lower"),
    ("prop-p99", "2. ... p99 (ms)", "lower"),
    ("prop-max", "2. ... max (ms)", "lower"),
] + [(f"failover-{r}", f"3. kill -9 controller -> CreateTopics, round {r} (ms)", "lower") for r in range(1, rounds + 1)] + [
    ("failover-median", "3. ... median of the rounds (ms)", "lower"),
]
def fmt(v, n=""):
    if v is not None and n.startswith("created, but"):
        return fmt(v) + " *"
    return "n/a" if v is None else (f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}")
table = []
for f, label, _ in figs:
    k, t = val.get(("kafka", f)), val.get(("tributary", f))
    ratio = "-" if k in (None, 0) or t is None else f"{t / k:.2f}"
    table.append((label, fmt(k, note.get(("kafka", f), "")), fmt(t, note.get(("tributary", f), "")), ratio))
w = max(len(r[0]) for r in table)
print()
print(f"{'figure':<{w}} {'Kafka':>9} {'Tributary':>10} {'T/K':>6}")
for r in table:
    print(f"{r[0]:<{w}} {r[1]:>9} {r[2]:>10} {r[3]:>6}")
short = {"create-rf1-s": "1 (RF 1)", "create-rf1-tps": "1 (RF 1)", "create-rf3-s": "1 (RF 3)", "create-rf3-tps": "1 (RF 3)",
         "prop-p50": "2", "prop-p99": "2", "prop-max": "2", "failover-median": "3 (median)"}
groups = {}
for s, name in (("kafka", "Kafka"), ("tributary", "Tributary")):
    for f, label, _ in figs:
        n = note.get((s, f), "")
        if (s, f) not in val or not n:
            continue
        text = ("n/a: " if val[(s, f)] is None else "") + n
        fig = short.get(f, "3 (round " + f.split("-")[-1] + ")")
        figs_of = groups.setdefault((name, text), [])
        if fig not in figs_of:
            figs_of.append(fig)
notes = [f"- {name}, figure {', '.join(fs)}: {text}" for (name, text), fs in groups.items()]
if notes:
    print("\nNotes and reasons for n/a:")
    print("\n".join(notes))
print("(T/K = Tributary / Kafka: below 1 is better for times, above 1 for topics/s;")
print(" * = measured, but the topics were not on every broker afterwards: see the notes)")

with open(sys.argv[2], "w") as out:
    out.write(f"""# Metadata benchmark results

Generated by \`bench/metadata/run.sh\` (see bench/README.md for what each figure measures).

$(results_preamble)
- Noise: this machine is shared with other builds and tests on the same 2 cores, so absolute
  figures carry ±30 % noise or more; one run, no repetition except figure 3's rounds.

| figure | Kafka | Tributary | Tributary / Kafka |
|---|---:|---:|---:|
""")
    for r in table:
        out.write(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |\n")
    out.write("\nT/K below 1 is better for times, above 1 for topics/s. * = measured, but the topics were not on "
              "every broker afterwards (see the notes).\n")
    if notes:
        out.write("\n## Notes and reasons for n/a (as the clients reported them)\n\n" + "\n".join(notes) + "\n")
PY
say "results: $RESULTS_FILE (raw figures: $RESULTS)"
