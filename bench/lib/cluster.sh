# Shared by the cluster benchmarks (bench/metadata/run.sh, bench/replication/run.sh); sourced, not run.
# Starts, restarts and stops a 3-node Apache Kafka 4.3.1 KRaft cluster (combined broker+controller
# processes) and a 3-node Tributary cluster (server-config/bin/tributary cluster 3), all on 127.0.0.1,
# and records figures as "system<TAB>figure<TAB>value<TAB>note" lines (value "n/a" with the reason).
#
# The sourcing script sets BENCH_NAME (names the log prefix, the Tributary data directory and with it
# the data-grid cluster) and BENCH_DIR (its own directory) before sourcing it; BENCH_WORK (the work
# directory, default BENCH_DIR/target/run) may be set. The functions then use SYSTEMS, BROKER_JVM,
# TOOL_JVM, KAFKA_PORT (brokers +0..2, controllers +3..5), TRIB_PORT (Kafka ports +0..2, quorum
# +100..102), TRIB_HTTP_PORT, TRIB_GRID_PORT, COMMAND (for RESULTS.md), and optionally
# TRIB_START_TIMEOUT (s, 300) and SKIP_BUILD=1.
# Sourcing it creates the work directory, an empty results file and tool.log, and installs an EXIT
# trap that stops every server started through these functions (also on failure or Ctrl-C).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$BENCH_ROOT/.." && pwd)"
WORK="${BENCH_WORK:-$BENCH_DIR/target/run}"
KAFKA_POM="$BENCH_ROOT/lib/kafka/pom.xml"
KAFKA_LIB="$BENCH_ROOT/lib/kafka/target/kafka-lib"
N=3
KDIR="$WORK/kafka"
TDATA="$WORK/trib-$BENCH_NAME-data" # its name also names the Tributary data-grid cluster
RESULTS="$WORK/results.tsv"
KPID=()
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED_AT="$(date -u '+%Y-%m-%d %H:%M UTC')"

say() { printf '[%s-bench %s] %s\n' "$BENCH_NAME" "$(date -u +%H:%M:%S)" "$*" >&2; }

mkdir -p "$WORK"
: > "$RESULTS"
: > "$WORK/tool.log"

# bench_command SCRIPT VAR...: the command line that reproduces this run (the VARs that were set)
bench_command() {
  local script="$1" v; shift
  for v in "$@"; do if [ -n "${!v+x}" ]; then printf '%s=%q ' "$v" "${!v}"; fi; done
  printf '%s' "$script"
}

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
  TRIBUTARY_GRID_PORT="$TRIB_GRID_PORT" TRIBUTARY_START_TIMEOUT="${TRIB_START_TIMEOUT:-300}" \
  TRIBUTARY_JAVA_OPTS="$BROKER_JVM -Dgroup.initial.rebalance.delay.ms=0" \
      "$ROOT/server-config/bin/tributary" "$@"
}
stop_tributary_cluster() { [ -d "$TDATA" ] && trib stop >> "$WORK/tributary-launcher.log" 2>&1 || true; }
cleanup() {
  stop_kafka_cluster
  stop_tributary_cluster
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- dependencies and client tools -------------------------------------------------------------
# prepare_tools SRC_DIR...: resolves Kafka 4.3.1 (once), compiles the client tools of the given source
# directories with bench/lib/src (ClusterBenchTool, their common base) and bench/metadata/src
# (MetadataBench: wait-healthy) into WORK/classes; builds Tributary unless SKIP_BUILD=1 or SYSTEMS
# leaves it out (TRIB_BUILD_FAILURE says why it failed)
prepare_tools() {
  if [ ! -f "$KAFKA_LIB/.resolved" ] || [ "$KAFKA_POM" -nt "$KAFKA_LIB/.resolved" ]; then
    say "resolving Apache Kafka 4.3.1 from Maven Central"
    rm -rf "$KAFKA_LIB"
    mvn -B -q -f "$KAFKA_POM" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime
    touch "$KAFKA_LIB/.resolved"
  fi
  local sources=() d
  for d in "$BENCH_ROOT/lib/src" "$BENCH_ROOT/metadata/src" "$@"; do sources+=("$d"/*.java); done
  rm -rf "$WORK/classes"; mkdir -p "$WORK/classes"
  javac -nowarn -cp "$KAFKA_LIB/*" -d "$WORK/classes" "${sources[@]}"

  TRIB_BUILD_FAILURE=""
  if [[ " $SYSTEMS " == *" tributary "* ]] && [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "building Tributary (server-config/bin/tributary build)"
    if ! "$ROOT/server-config/bin/tributary" build > "$WORK/tributary-build.log" 2>&1; then
      TRIB_BUILD_FAILURE="the Tributary build failed (see target/run/tributary-build.log)"
      say "$TRIB_BUILD_FAILURE"
    fi
  fi
}

# run_java TIMEOUT_S MAIN_CLASS ARGS...: a client tool, bounded; stdout is its answer, stderr goes to tool.log
run_java() {
  local limit="$1"; shift
  timeout -k 10 "$limit" java $TOOL_JVM -cp "$KAFKA_LIB/*:$WORK/classes" "$@" 2>>"$WORK/tool.log"
}
wait_healthy() { # brokers seconds: every broker answers and DescribeCluster lists them all (warns, never fails)
  run_java $(($2 + 30)) MetadataBench wait-healthy --bootstrap "$1" --brokers "$1" --healthy-wait-s "$2" || true
}

# --- recording figures ------------------------------------------------------------------------
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"; }
# record_output SYSTEM OUTPUT RC FIG...: keeps the tool's FIG lines (FIG<TAB>name<TAB>value<TAB>note);
# a figure it did not print is n/a
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

# results_preamble: the lines of RESULTS.md that say when, how and on what the figures were taken
results_preamble() {
  cat <<MD
- Date: $STARTED_AT
- Command: \`$COMMAND\`
- Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)
- Apache Kafka 4.3.1, KRaft, 3 combined broker+controller processes; Tributary 3 Payara Micro nodes
  (\`server-config/bin/tributary cluster 3\`); both \`$BROKER_JVM\` per node, all on 127.0.0.1,
  one system after the other.
MD
}

ports() { # base: the N Kafka listeners as host:port,...
  local i out=""
  for ((i = 0; i < N; i++)); do out+="${out:+,}127.0.0.1:$(($1 + i))"; done
  echo "$out"
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
    if ((N < 3)); then # the internal topics' defaults (RF 3, min ISR 2) need 3 brokers
      printf 'offsets.topic.replication.factor=%s\ntransaction.state.log.replication.factor=%s\ntransaction.state.log.min.isr=1\n' \
          "$N" "$N" >> "$KDIR/node-$i.properties"
    fi
  done
  id="$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  for ((i = 0; i < N; i++)); do
    java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$KDIR/node-$i.properties" \
        >> "$KDIR/format.log" 2>&1 || return 1
  done
  # all three at once: a node opens its listener only once the quorum (2 of 3) has formed
  for ((i = 0; i < N; i++)); do launch_kafka_node "$i"; done
  for ((i = 0; i < N; i++)); do wait_port $((KAFKA_PORT + i)) "${KPID[$i]}" 120 || return 1; done
  wait_healthy "$(ports "$KAFKA_PORT")" 90
}
kafka_pids() { local i out=""; for i in "${!KPID[@]}"; do out+="${out:+,}$i=${KPID[$i]}"; done; echo "$out"; }
restart_kafka_node() { # node id (= index)
  wait "${KPID[$1]}" 2>/dev/null || true
  launch_kafka_node "$1"
  wait_port $((KAFKA_PORT + $1)) "${KPID[$1]}" 120
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

# --- either system ------------------------------------------------------------------------------
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
brokers_of() { if [ "$1" = kafka ]; then ports "$KAFKA_PORT"; else ports "$TRIB_PORT"; fi; }

# failover_rounds SYSTEM ROUNDS WHAT FUNCTION: runs FUNCTION SYSTEM r for r = 1..ROUNDS; each prints
# the figure "failover-r" and "KILLED<TAB>node id" ("KILLED<TAB>-" when it killed nothing). The killed
# node is restarted after each round; a round that killed nothing ends the series (the later rounds
# are n/a with its reason), and after a tool that failed without saying, every node that is down is
# restarted.
failover_rounds() {
  local sys="$1" rounds="$2" what="$3" fn="$4" r rc out killed figs=()
  for ((r = 1; r <= rounds; r++)); do figs+=("failover-$r"); done
  for ((r = 1; r <= rounds; r++)); do
    say "$sys: $what, round $r"
    rc=0; out="$("$fn" "$sys" "$r")" || rc=$?
    record_output "$sys" "$out" "$rc" "failover-$r"
    killed="$(awk -F'\t' '$1 == "KILLED" { print $2 }' <<<"$out" | tail -n 1)"
    if [ "$killed" = - ]; then # nothing was killed: the same reason holds for the other rounds
      if ((r < rounds)); then
        record_all_na "$sys" "not repeated: round $r killed nothing ($(awk -F'\t' -v f="failover-$r" '$1 == "FIG" && $2 == f { print $4 }' <<<"$out"))" \
            "${figs[@]:$r}"
      fi
      break
    elif [ -z "$killed" ]; then # the tool failed without saying: bring back whatever is down
      restart_down_nodes "$sys"
    else
      say "$sys: restarting node $killed"
      if ! "restart_${sys}_node" "$killed"; then
        if ((r < rounds)); then record_all_na "$sys" "not run: the killed node $killed did not restart" "${figs[@]:$r}"; fi
        break
      fi
    fi
  done
}
# with_cluster SYSTEM LABEL FUNCTION FIG...: starts a fresh cluster of SYSTEM, runs FUNCTION SYSTEM
# BASEPORT on it and stops it; when the cluster cannot be started (or Tributary was not built), the
# FIGs are n/a with the reason
with_cluster() {
  local sys="$1" label="$2" fn="$3"; shift 3
  case "$sys" in
    kafka)
      say "kafka: starting $N KRaft node(s)$label"
      if start_kafka_cluster; then "$fn" kafka "$KAFKA_PORT"
      else record_all_na kafka "the Kafka cluster did not start (see target/run/kafka/)" "$@"; fi
      stop_kafka_cluster
      ;;
    tributary)
      if [ -n "$TRIB_BUILD_FAILURE" ]; then record_all_na tributary "$TRIB_BUILD_FAILURE" "$@"; return; fi
      say "tributary: starting $N node(s)$label"
      if start_tributary_cluster; then "$fn" tributary "$TRIB_PORT"
      else record_all_na tributary "the $N-node cluster did not start (see target/run/tributary-launcher.log)" "$@"; fi
      stop_tributary_cluster
      ;;
    *) say "unknown system '$sys' in SYSTEMS" ;;
  esac
}
