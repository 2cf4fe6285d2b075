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

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${BENCH_WORK:-$HERE/target/run}"
KAFKA_LIB="$HERE/target/kafka-lib"
COMMAND="$(for v in SCALE TOPICS PARTITIONS BATCH PROP_TOPICS PROP_RF FAILOVER_ROUNDS SYSTEMS BROKER_JVM SKIP_BUILD; do
  if [ -n "${!v+x}" ]; then printf '%s=%q ' "$v" "${!v}"; fi; done)bench/metadata/run.sh"
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
RESULTS_FILE="${RESULTS_FILE:-$HERE/RESULTS.md}"
N=3

say() { printf '[metadata-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
: > "$WORK/tool.log"
KDIR="$WORK/kafka"
TDATA="$WORK/trib-metadata-data"   # its name also names the Tributary data grid cluster
KPID=()
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED_AT="$(date -u '+%Y-%m-%d %H:%M UTC')"

# --- stopping everything this script started ---------------------------------------------------
stop_pid() { # pid [grace seconds]: SIGTERM, then SIGKILL after the grace period
  local p="$1" waited=0
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  while kill -0 "$p" 2>/dev/null; do
    sleep 0.5; waited=$((waited + 1))
    if [ "$waited" -ge $((2 * ${2:-20})) ]; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  wait "$p" 2>/dev/null || true
}
stop_kafka_cluster() {
  local i
  for i in "${!KPID[@]}"; do [ -z "${KPID[$i]}" ] || kill -TERM "${KPID[$i]}" 2>/dev/null || true; done
  for i in "${!KPID[@]}"; do stop_pid "${KPID[$i]}" 20; done
  KPID=()
}
trib() {
  TRIBUTARY_DATA="$TDATA" TRIBUTARY_KAFKA_PORT="$TRIB_PORT" TRIBUTARY_HTTP_PORT="$TRIB_HTTP_PORT" \
  TRIBUTARY_GRID_PORT="$TRIB_GRID_PORT" TRIBUTARY_JAVA_OPTS="$BROKER_JVM" TRIBUTARY_START_TIMEOUT="${TRIB_START_TIMEOUT:-300}" \
      "$ROOT/server-config/bin/tributary" "$@"
}
stop_tributary_cluster() { [ -d "$TDATA" ] && trib stop >> "$WORK/tributary-launcher.log" 2>&1 || true; }
cleanup() {
  stop_kafka_cluster
  stop_tributary_cluster
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- dependencies and the client tool ----------------------------------------------------------
if [ ! -f "$KAFKA_LIB/.resolved" ] || [ "$HERE/pom.xml" -nt "$KAFKA_LIB/.resolved" ]; then
  say "resolving Apache Kafka 4.3.1 from Maven Central"
  rm -rf "$KAFKA_LIB"
  mvn -B -q -f "$HERE/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime
  touch "$KAFKA_LIB/.resolved"
fi
rm -rf "$WORK/classes"; mkdir -p "$WORK/classes"
javac -nowarn -cp "$KAFKA_LIB/*" -d "$WORK/classes" "$HERE"/src/*.java

TRIB_BUILD_FAILURE=""
if [[ " $SYSTEMS " == *" tributary "* ]] && [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building Tributary (server-config/bin/tributary build)"
  if ! "$ROOT/server-config/bin/tributary" build > "$WORK/tributary-build.log" 2>&1; then
    TRIB_BUILD_FAILURE="the Tributary build failed (see target/run/tributary-build.log)"
    say "$TRIB_BUILD_FAILURE"
  fi
fi

# --- recording figures ------------------------------------------------------------------------
# tool TIMEOUT_S ARGS...: runs MetadataBench, bounded; its FIG lines go to stdout
tool() {
  local limit="$1"; shift
  timeout -k 10 "$limit" java $TOOL_JVM -cp "$KAFKA_LIB/*:$WORK/classes" MetadataBench "$@" 2>>"$WORK/tool.log"
}
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"; }
# record_output SYSTEM OUTPUT RC FIG...: keeps the tool's FIG lines; a figure it did not print is n/a
record_output() {
  local sys="$1" out="$2" rc="$3" f; shift 3
  for f in "$@"; do
    local line; line="$(awk -F'\t' -v f="$f" '$1 == "FIG" && $2 == f' <<<"$out" | tail -n 1)"
    if [ -n "$line" ]; then
      record "$sys" "$f" "$(cut -f3 <<<"$line")" "$(cut -f4- <<<"$line")"
      say "$sys $f: $(cut -f3- <<<"$line" | tr '\t' ' ')"
    else
      local why="the client tool ended without this figure (exit code $rc$([ "$rc" = 124 ] && echo ', timed out')); see target/run/tool.log"
      record "$sys" "$f" "n/a" "$why"
      say "$sys $f: n/a: $why"
    fi
  done
}
record_all_na() { # SYSTEM REASON FIG...
  local sys="$1" why="$2" f; shift 2
  for f in "$@"; do record "$sys" "$f" "n/a" "$why"; done
  say "$sys: n/a ($*): $why"
}
ROUND_FIGS=(); for ((r = 1; r <= FAILOVER_ROUNDS; r++)); do ROUND_FIGS+=("failover-$r"); done
PROP_FIGS=(prop-p50 prop-p99 prop-max)

ports() { # base: the 3 Kafka listeners as host:port,...
  echo "127.0.0.1:$1,127.0.0.1:$(($1 + 1)),127.0.0.1:$(($1 + 2))"
}

wait_port() { # port pid seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.5
  done
}

# --- Apache Kafka -------------------------------------------------------------------------------
launch_kafka_node() { # i (already formatted): starts it, does not wait
  java $BROKER_JVM -cp "$KAFKA_LIB/*" kafka.Kafka "$KDIR/node-$1.properties" >> "$KDIR/node-$1.log" 2>&1 &
  KPID[$1]=$!
}
start_kafka_cluster() {
  local i voters="" id
  rm -rf "$KDIR"; mkdir -p "$KDIR"
  for ((i = 0; i < N; i++)); do voters+="${voters:+,}$i@127.0.0.1:$((KAFKA_PORT + N + i))"; done
  for ((i = 0; i < N; i++)); do
    cat > "$KDIR/node-$i.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$((KAFKA_PORT + i)),CONTROLLER://127.0.0.1:$((KAFKA_PORT + N + i))
advertised.listeners=PLAINTEXT://127.0.0.1:$((KAFKA_PORT + i))
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KDIR/data-$i
num.partitions=1
group.initial.rebalance.delay.ms=0
PROPS
  done
  id="$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  for ((i = 0; i < N; i++)); do
    java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$KDIR/node-$i.properties" \
        >> "$KDIR/format.log" 2>&1 || return 1
  done
  # all three at once: a node opens its listener only once the quorum (2 of 3) has formed
  for ((i = 0; i < N; i++)); do launch_kafka_node "$i"; done
  for ((i = 0; i < N; i++)); do wait_port $((KAFKA_PORT + i)) "${KPID[$i]}" 120 || return 1; done
  tool 120 wait-healthy --bootstrap "$(ports "$KAFKA_PORT")" --brokers "$(ports "$KAFKA_PORT")" --healthy-wait-s 90 || true
}
kafka_pids() { local i out=""; for i in "${!KPID[@]}"; do out+="${out:+,}$i=${KPID[$i]}"; done; echo "$out"; }
restart_kafka_node() { # node id (= index)
  wait "${KPID[$1]}" 2>/dev/null || true
  launch_kafka_node "$1"
  wait_port $((KAFKA_PORT + $1)) "${KPID[$1]}" 120
}
restart_down_nodes() { # system
  local i pid
  for ((i = 0; i < N; i++)); do
    if [ "$1" = kafka ]; then pid="${KPID[$i]:-}"; else pid="$(cat "$TDATA/node-$i/tributary.pid" 2>/dev/null || true)"; fi
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      say "$1: node $i is down; restarting it"
      if [ "$1" = kafka ]; then restart_kafka_node "$i" || true; else trib start-node "$i" >> "$WORK/tributary-launcher.log" 2>&1 || true; fi
    fi
  done
}

# --- Tributary ----------------------------------------------------------------------------------
start_tributary_cluster() {
  stop_tributary_cluster
  rm -rf "$TDATA"
  trib cluster "$N" >> "$WORK/tributary-launcher.log" 2>&1
}
node_id_of_index() { # i: node.id from meta.properties (the launcher passes -Dnode.id=i, so i when absent)
  local id; id="$(sed -n 's/^node.id=//p' "$TDATA/node-$1/meta.properties" 2>/dev/null | head -n 1)"
  echo "${id:-$1}"
}
tributary_pids() {
  local i out="" pid
  for ((i = 0; i < N; i++)); do
    pid="$(cat "$TDATA/node-$i/tributary.pid" 2>/dev/null || true)"
    [ -z "$pid" ] || out+="${out:+,}$(node_id_of_index "$i")=$pid"
  done
  echo "$out"
}
restart_tributary_node() { # node id
  local i
  for ((i = 0; i < N; i++)); do
    if [ "$(node_id_of_index "$i")" = "$1" ]; then trib start-node "$i" >> "$WORK/tributary-launcher.log" 2>&1; return; fi
  done
  return 1
}

# --- the figures --------------------------------------------------------------------------------
# cluster_a SYSTEM BASEPORT: figure 2, figure 3, figure 1 (RF 1)
cluster_a() {
  local sys="$1" base="$2" out rc r killed brokers
  brokers="$(ports "$base")"
  say "$sys: figure 2, $PROP_TOPICS topics x $PARTITIONS partitions, RF $PROP_RF"
  rc=0; out="$(tool 1800 propagate --bootstrap "$brokers" --brokers "$brokers" --prefix prop --topics "$PROP_TOPICS" \
      --partitions "$PARTITIONS" --rf "$PROP_RF" --visible-wait-s 30)" || rc=$?
  record_output "$sys" "$out" "$rc" "${PROP_FIGS[@]}"

  local quorum_only=false; [ "$sys" = kafka ] && quorum_only=true   # Kafka's DescribeCluster names a random broker
  for ((r = 1; r <= FAILOVER_ROUNDS; r++)); do
    say "$sys: figure 3, round $r"
    rc=0; out="$(tool 300 failover --bootstrap "$brokers" --brokers "$brokers" --pids "$("${sys}_pids")" \
        --prefix "failover-r$r" --label "failover-$r" --quorum-only "$quorum_only" --request-timeout-ms 1000 \
        --deadline-s 60 --healthy-wait-s 60)" || rc=$?
    record_output "$sys" "$out" "$rc" "failover-$r"
    killed="$(awk -F'\t' '$1 == "KILLED" { print $2 }' <<<"$out" | tail -n 1)"
    if [ "$killed" = - ]; then # nothing was killed: the same reason holds for the other rounds
      if ((r < FAILOVER_ROUNDS)); then
        record_all_na "$sys" "not repeated: round $r killed nothing ($(awk -F'\t' -v f="failover-$r" '$1 == "FIG" && $2 == f { print $4 }' <<<"$out"))" \
            "${ROUND_FIGS[@]:$r}"
      fi
      break
    elif [ -z "$killed" ]; then # the tool failed without saying: bring back whatever is down
      restart_down_nodes "$sys"
    else
      say "$sys: restarting node $killed"
      if ! "restart_${sys}_node" "$killed"; then
        if ((r < FAILOVER_ROUNDS)); then record_all_na "$sys" "not run: the killed node $killed did not restart" "${ROUND_FIGS[@]:$r}"; fi
        break
      fi
    fi
  done

  tool 120 wait-healthy --bootstrap "$brokers" --brokers "$brokers" --healthy-wait-s 60 || true
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
  case "$sys" in
    kafka)
      say "kafka: starting 3 KRaft nodes (cluster A)"
      if start_kafka_cluster; then cluster_a kafka "$KAFKA_PORT"
      else record_all_na kafka "the Kafka cluster did not start (see target/run/kafka/)" "${ALL_A[@]}"; fi
      stop_kafka_cluster
      say "kafka: starting 3 KRaft nodes (cluster B)"
      if start_kafka_cluster; then cluster_b kafka "$KAFKA_PORT"
      else record_all_na kafka "the Kafka cluster did not start (see target/run/kafka/)" "${ALL_B[@]}"; fi
      stop_kafka_cluster
      ;;
    tributary)
      if [ -n "$TRIB_BUILD_FAILURE" ]; then record_all_na tributary "$TRIB_BUILD_FAILURE" "${ALL_A[@]}" "${ALL_B[@]}"; continue; fi
      say "tributary: starting 3 nodes (cluster A)"
      if start_tributary_cluster; then cluster_a tributary "$TRIB_PORT"
      else record_all_na tributary "the 3-node cluster did not start (see target/run/tributary-launcher.log)" "${ALL_A[@]}"; fi
      stop_tributary_cluster
      say "tributary: starting 3 nodes (cluster B)"
      if start_tributary_cluster; then cluster_b tributary "$TRIB_PORT"
      else record_all_na tributary "the 3-node cluster did not start (see target/run/tributary-launcher.log)" "${ALL_B[@]}"; fi
      stop_tributary_cluster
      ;;
    *) say "unknown system '$sys' in SYSTEMS" ;;
  esac
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

- Date: $STARTED_AT
- Command: \`$COMMAND\`
- Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)
- Apache Kafka 4.3.1, KRaft, 3 combined broker+controller processes; Tributary 3 Payara Micro nodes
  (\`server-config/bin/tributary cluster 3\`); both \`$BROKER_JVM\` per node, all on 127.0.0.1,
  one system after the other.
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
