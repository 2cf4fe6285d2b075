#!/usr/bin/env bash
# Security benchmark: what TLS + SASL (SASL_SSL, SCRAM-SHA-512) costs against PLAINTEXT, on one
# Tributary node and one Apache Kafka 4.3.1 broker (KRaft, combined broker+controller), each with both
# listeners, on 127.0.0.1, one system after the other, measured with Kafka's own perf tools.
#
#   bench/security/run.sh               full size: 1,000,000 records of 1 KiB (1.02 GB) per phase
#   SCALE=0.05 bench/security/run.sh    a twentieth of the records (a quick first try)
#
# Both systems get the same self-signed key store and trust store (PKCS12, made here with keytool,
# SAN IP:127.0.0.1 so the clients keep host name verification on) and the same broker properties:
# sasl.enabled.mechanisms=SCRAM-SHA-512, listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config, ssl.*;
# the brokers talk among themselves on PLAINTEXT. The SCRAM credential is created on each system the
# same way, with kafka-configs (kafka.admin.ConfigCommand) over PLAINTEXT, and checked with a SASL_SSL
# TopicCommand --list before anything is measured.
#
# Per round (ROUNDS, default 2; the systems alternate: Kafka, Tributary, Kafka, Tributary...), on a
# fresh broker of each system:
#   warm-up: WARMUP records (RECORDS / 5) produced and consumed on each listener; not a figure.
#   then for each listener (PLAINTEXT first in odd rounds, SASL_SSL first in even rounds):
#     produce-acks1     ProducerPerformance, acks=1, producer defaults otherwise, payload file of 1 KiB lines
#     produce-acksall   ProducerPerformance, acks=all, batch.size=65536
#     consume           AssignConsumerPerf (bench/protocol/src: assign + seek, no group) reads produce-acks1's topic
#   each phase: MB/s as the tool reports it and broker CPU seconds (utime+stime from /proc/PID/stat
#   before and after) per GB (10^9 bytes of record values).
# Output: a table on stdout and RESULTS.md: medians over the rounds per system, listener and phase,
# the SASL_SSL/PLAINTEXT overhead per system (medians of the per-round ratios), and Tributary's
# overhead over Kafka's (T/K; above 1 means Tributary's TLS overhead is worse).
#
# A figure that cannot be measured is n/a with the tool's error; every wait is bounded; every server
# this script started is stopped when it ends, also on failure.
#
# Environment: SCALE (1), RECORDS (1,000,000 x SCALE), WARMUP (RECORDS / 5), ROUNDS (2), SYSTEMS
# ("kafka tributary"), BROKER_JVM ("-Xmx1g -XX:+UseG1GC", both systems), TOOL_JVM ("-Xmx768m"),
# TOOL_TIMEOUT (s per tool run, 120 + RECORDS / 2000), KAFKA_PORT (28092: PLAINTEXT, +1 SASL_SSL,
# +2 controller), TRIB_PORT (28192: PLAINTEXT, +1 SASL_SSL, +100 quorum), TRIB_HTTP_PORT (28180),
# TRIB_GRID_PORT (28170) (all below the ephemeral range 32768-60999), SKIP_BUILD=1 (use the Tributary
# archives already built), RESULTS_FILE.
set -euo pipefail

BENCH_NAME=security
BENCH_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=../lib/cluster.sh
. "$BENCH_DIR/../lib/cluster.sh"   # Kafka's jars, say/stop helpers and the EXIT trap that stops what we start
COMMAND="$(bench_command bench/security/run.sh SCALE RECORDS WARMUP ROUNDS SYSTEMS BROKER_JVM TOOL_TIMEOUT SKIP_BUILD)"
SCALE="${SCALE:-1}"
RECORDS="${RECORDS:-$(awk -v s="$SCALE" 'BEGIN { n = int(1000000 * s + 0.5); print (n < 1000 ? 1000 : n) }')}"
WARMUP="${WARMUP:-$(( RECORDS / 5 < 1000 ? 1000 : RECORDS / 5 ))}"
ROUNDS="${ROUNDS:-2}"
SYSTEMS="${SYSTEMS:-kafka tributary}"
BROKER_JVM="${BROKER_JVM:--Xmx1g -XX:+UseG1GC}"
TOOL_JVM="${TOOL_JVM:--Xmx768m}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-$((120 + RECORDS / 2000))}"
KAFKA_PORT="${KAFKA_PORT:-28092}"
TRIB_PORT="${TRIB_PORT:-28192}"
TRIB_HTTP_PORT="${TRIB_HTTP_PORT:-28180}"
TRIB_GRID_PORT="${TRIB_GRID_PORT:-28170}"
RESULTS_FILE="${RESULTS_FILE:-$BENCH_DIR/RESULTS.md}"
RECORD_SIZE=1024
CLK_TCK="$(getconf CLK_TCK)"
GB="$(awk -v b="$((RECORDS * RECORD_SIZE))" 'BEGIN { printf "%.6f", b / 1e9 }')"
LISTENERS=(PLAINTEXT SASL_SSL)
PHASES=(produce-acks1 produce-acksall consume)
SCRAM_USER=bench
SCRAM_PASSWORD="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
STORE_PASSWORD="store-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
TLS="$WORK/tls"
PAYLOAD="$WORK/payload.txt"
BROKER_PID=""

die() { say "ERROR: $*"; exit 1; }
for p in "$KAFKA_PORT" "$TRIB_PORT"; do
  [ "$p" -ge 1024 ] && [ $((p + 100)) -lt 32768 ] || die "ports must lie between 1024 and 32667 (got $p): below the ephemeral range"
done
command -v keytool >/dev/null || die "keytool (from the JDK) is needed to make the key store"

prepare_tools
javac -nowarn -cp "$KAFKA_LIB/*" -d "$WORK/classes" "$BENCH_ROOT/protocol/src/AssignConsumerPerf.java"

# --- key store, trust store, properties --------------------------------------------------------
rm -rf "$TLS"; mkdir -p "$TLS"
keytool -genkeypair -noprompt -alias broker -keyalg RSA -keysize 2048 -validity 30 -storetype PKCS12 \
    -keystore "$TLS/broker.p12" -storepass "$STORE_PASSWORD" -keypass "$STORE_PASSWORD" \
    -dname "CN=localhost, OU=bench, O=Tributary" -ext "SAN=IP:127.0.0.1,DNS:localhost" > "$TLS/keytool.log" 2>&1 \
  || die "keytool could not make the key store; see $TLS/keytool.log"
keytool -exportcert -rfc -alias broker -keystore "$TLS/broker.p12" -storepass "$STORE_PASSWORD" -file "$TLS/broker.pem" \
    >> "$TLS/keytool.log" 2>&1 || die "keytool could not export the certificate; see $TLS/keytool.log"
keytool -importcert -noprompt -alias broker -file "$TLS/broker.pem" -storetype PKCS12 -keystore "$TLS/truststore.p12" \
    -storepass "$STORE_PASSWORD" >> "$TLS/keytool.log" 2>&1 || die "keytool could not make the trust store; see $TLS/keytool.log"

# the broker properties both systems get for TLS and SASL (identical text)
cat > "$TLS/broker-security.properties" <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/broker.p12
ssl.keystore.password=$STORE_PASSWORD
ssl.key.password=$STORE_PASSWORD
ssl.truststore.type=PKCS12
ssl.truststore.location=$TLS/truststore.p12
ssl.truststore.password=$STORE_PASSWORD
PROPS
# the clients' properties per listener
printf 'security.protocol=PLAINTEXT\n' > "$WORK/client-PLAINTEXT.properties"
cat > "$WORK/client-SASL_SSL.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_USER" password="$SCRAM_PASSWORD";
ssl.truststore.type=PKCS12
ssl.truststore.location=$TLS/truststore.p12
ssl.truststore.password=$STORE_PASSWORD
PROPS
{ cat "$ROOT/server-config/tributary.properties"
  printf '\n# bench/security/run.sh\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL\n'
  cat "$TLS/broker-security.properties"; } > "$WORK/tributary.properties"

[ -s "$PAYLOAD" ] || python3 -c 'import base64, os
for _ in range(1000): print(base64.b64encode(os.urandom(768)).decode())' > "$PAYLOAD"   # 1,024-byte lines

# --- the two systems ----------------------------------------------------------------------------
port_of() { # system listener
  local base; if [ "$1" = kafka ]; then base="$KAFKA_PORT"; else base="$TRIB_PORT"; fi
  if [ "$2" = PLAINTEXT ]; then echo "$base"; else echo $((base + 1)); fi
}

start_kafka() {
  local id; rm -rf "$KDIR"; mkdir -p "$KDIR"
  { cat <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((KAFKA_PORT + 2))
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$((KAFKA_PORT + 1)),CONTROLLER://127.0.0.1:$((KAFKA_PORT + 2))
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$((KAFKA_PORT + 1))
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
log.dirs=$KDIR/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    cat "$TLS/broker-security.properties"; } > "$KDIR/node-0.properties"
  id="$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$KDIR/node-0.properties" \
      > "$KDIR/format.log" 2>&1 || { START_ERROR="kafka-storage format failed: $(tail -n 1 "$KDIR/format.log")"; return 1; }
  launch_kafka_node 0
  BROKER_PID="${KPID[0]}"
  local l
  for l in "${LISTENERS[@]}"; do
    wait_port "$(port_of kafka "$l")" "$BROKER_PID" 120 \
      || { START_ERROR="Kafka's $l listener 127.0.0.1:$(port_of kafka "$l") did not open within 120 s: $(grep -m1 -E 'ERROR|Exception' "$KDIR/node-0.log" || tail -n 1 "$KDIR/node-0.log")"; return 1; }
  done
}
stop_kafka() { stop_kafka_cluster; BROKER_PID=""; }

# the launcher (server-config/bin/tributary) for one node: its own -Dlisteners is overridden by the later
# one in TRIBUTARY_JAVA_OPTS; the TLS/SASL keys come from the properties file (TRIBUTARY_CONFIG_FILE)
trib() {
  TRIBUTARY_DATA="$TDATA" TRIBUTARY_KAFKA_PORT="$TRIB_PORT" TRIBUTARY_HTTP_PORT="$TRIB_HTTP_PORT" \
  TRIBUTARY_GRID_PORT="$TRIB_GRID_PORT" TRIBUTARY_QUORUM_PORT="$((TRIB_PORT + 100))" \
  TRIBUTARY_START_TIMEOUT="${TRIB_START_TIMEOUT:-300}" TRIBUTARY_CONFIG_FILE="$WORK/tributary.properties" \
  TRIBUTARY_ADMIN_PASSWORD="$STORE_PASSWORD" \
  TRIBUTARY_JAVA_OPTS="$BROKER_JVM -Dgroup.initial.rebalance.delay.ms=0 -Dlisteners=PLAINTEXT://127.0.0.1:$TRIB_PORT,SASL_SSL://127.0.0.1:$((TRIB_PORT + 1))" \
      "$ROOT/server-config/bin/tributary" "$@"
}
start_tributary() {
  stop_tributary_cluster; rm -rf "$TDATA"
  if ! trib start > "$WORK/tributary-start.log" 2>&1; then
    local why; why="$(awk '/exited during start-up|gave up after|failed|ERROR|error/ { p = 1 } p && !/full log/' "$WORK/tributary-start.log" | head -n 4)"
    [ -n "$why" ] || why="$(tail -n 3 "$WORK/tributary-start.log")"
    START_ERROR="the Tributary node did not start: $(tr -s ' \n' ' ' <<<"$why")(see $WORK/tributary-start.log, $TDATA/node-0/server.log)"
    return 1
  fi
  BROKER_PID="$(cat "$TDATA/node-0/tributary.pid")"
  local l
  for l in "${LISTENERS[@]}"; do
    wait_port "$(port_of tributary "$l")" "$BROKER_PID" 60 \
      || { START_ERROR="Tributary's $l listener 127.0.0.1:$(port_of tributary "$l") is not open 60 s after the node was ready (see $TDATA/node-0/server.log)"; return 1; }
  done
}
stop_tributary() { stop_tributary_cluster; BROKER_PID=""; }

# --- tools and figures --------------------------------------------------------------------------
# tool NAME CLASS ARGS...: one of Kafka's tools (or AssignConsumerPerf), bounded by TOOL_TIMEOUT;
# stdout is its output, its stderr is kept in WORK/NAME.err
tool() {
  local name="$1"; shift
  timeout -k 10 "$TOOL_TIMEOUT" java $TOOL_JVM -cp "$KAFKA_LIB/*:$WORK/classes" "$@" 2> "$WORK/$name.err"
}
# the first line of a tool's stderr (or of its stdout kept in WORK/NAME.out: the admin tools print their
# errors there) that names an error, for n/a notes and error lines
first_error() {
  local files=("$WORK/$1.err"); [ -f "$WORK/$1.out" ] && files+=("$WORK/$1.out")
  { grep -h -m1 -E 'Exception|ERROR|Error' "${files[@]}" | head -n 1 | grep . || cat "${files[@]}" | grep . | tail -n 1; } 2>/dev/null | cut -c1-300
}
why_failed() { # name rc
  if [ "$2" = 124 ] || [ "$2" = 137 ]; then echo "timed out after $TOOL_TIMEOUT s; $(first_error "$1")"
  else echo "exit code $2: $(first_error "$1")"; fi
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
record_phase() { # system round listener phase mbs cpu_s note
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS"
}
record_na() { # system round listener reason phases...
  local sys="$1" r="$2" l="$3" why="$4" p; shift 4
  for p in "$@"; do record_phase "$sys" "$r" "$l" "$p" n/a n/a "$why"; done
  say "$sys round $r $l: n/a ($*): $why"
}

create_topic() { # system topic
  local rc=0
  tool "$1-create-$2" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$(port_of "$1" PLAINTEXT)" --create \
      --topic "$2" --partitions 1 --replication-factor 1 > "$WORK/$1-create-$2.out" || rc=$?
  [ "$rc" = 0 ] || { PHASE_ERROR="creating topic $2 failed, $(why_failed "$1-create-$2" "$rc")"; return 1; }
}

# the SCRAM credential, created over PLAINTEXT with kafka-configs, then a SASL_SSL login proven with a
# TopicCommand --list (retried for up to 60 s while the credential reaches the broker)
add_credential() { # system
  local sys="$1" rc=0 deadline=$((SECONDS + 60))
  tool "$sys-scram" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$(port_of "$sys" PLAINTEXT)" --alter \
      --add-config "SCRAM-SHA-512=[password=$SCRAM_PASSWORD]" --entity-type users --entity-name "$SCRAM_USER" > "$WORK/$sys-scram.out" || rc=$?
  [ "$rc" = 0 ] || { PHASE_ERROR="kafka-configs --alter --add-config SCRAM-SHA-512 over PLAINTEXT failed, $(why_failed "$sys-scram" "$rc")"; return 1; }
  while :; do
    rc=0
    tool "$sys-sasl-check" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$(port_of "$sys" SASL_SSL)" \
        --command-config "$WORK/client-SASL_SSL.properties" --list > "$WORK/$sys-sasl-check.out" || rc=$?
    [ "$rc" = 0 ] && return 0
    if [ $SECONDS -ge $deadline ] || [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
      PHASE_ERROR="a SASL_SSL (SCRAM-SHA-512) TopicCommand --list on 127.0.0.1:$(port_of "$sys" SASL_SSL) failed, $(why_failed "$sys-sasl-check" "$rc")"
      return 1
    fi
    sleep 2
  done
}

produce() { # system round listener phase topic acks [props...]; prints nothing, records the figure
  local sys="$1" r="$2" l="$3" phase="$4" topic="$5" acks="$6"; shift 6
  local name="$sys-r$r-$l-$phase" before after out rc=0 mbs
  create_topic "$sys" "$topic" || { record_na "$sys" "$r" "$l" "$PHASE_ERROR" "$phase"; return; }
  before="$(ticks "$BROKER_PID")"
  out="$(tool "$name" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "127.0.0.1:$(port_of "$sys" "$l")" \
      --topic "$topic" --num-records "$RECORDS" --payload-file "$PAYLOAD" --throughput -1 \
      --command-config "$WORK/client-$l.properties" --command-property "acks=$acks" "$@" | tail -n 1)" || rc=$?
  after="$(ticks "$BROKER_PID" 2>/dev/null || echo "$before")"
  mbs="$(sed -n 's/.*records\/sec (\([0-9.]*\) MB\/sec).*/\1/p' <<<"$out")"
  if [ "$rc" != 0 ] || [ -z "$mbs" ]; then record_na "$sys" "$r" "$l" "ProducerPerformance $(why_failed "$name" "$rc")" "$phase"; return; fi
  if grep -q 'Exception' "$WORK/$name.err"; then # it counts failed sends too: a failed send is no figure
    record_na "$sys" "$r" "$l" "ProducerPerformance reported failed sends: $(first_error "$name")" "$phase"; return
  fi
  say "$sys round $r $l $phase: $out"
  record_phase "$sys" "$r" "$l" "$phase" "$mbs" "$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')" "$out"
}

consume() { # system round listener phase topic records
  local sys="$1" r="$2" l="$3" phase="$4" topic="$5" want="$6"
  local name="$sys-r$r-$l-$phase" before after out rc=0 mbs got
  before="$(ticks "$BROKER_PID")"
  out="$(tool "$name" AssignConsumerPerf "127.0.0.1:$(port_of "$sys" "$l")" "$topic" "$want" "$WORK/client-$l.properties")" || rc=$?
  after="$(ticks "$BROKER_PID" 2>/dev/null || echo "$before")"
  mbs="$(sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p' <<<"$out")"
  got="$(sed -n 's/.*records=\([0-9]*\).*/\1/p' <<<"$out")"
  if [ "$rc" != 0 ] || [ -z "$mbs" ]; then record_na "$sys" "$r" "$l" "AssignConsumerPerf $(why_failed "$name" "$rc")" "$phase"; return; fi
  if [ "${got:-0}" -lt "$want" ]; then
    record_na "$sys" "$r" "$l" "AssignConsumerPerf read $got of $want records (no progress for 10 s): $out" "$phase"; return
  fi
  say "$sys round $r $l $phase: $out"
  record_phase "$sys" "$r" "$l" "$phase" "$mbs" "$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')" "$out"
}

run_system() { # system round
  local sys="$1" r="$2" l order
  if [ "$sys" = tributary ] && [ -n "$TRIB_BUILD_FAILURE" ]; then
    for l in "${LISTENERS[@]}"; do record_na "$sys" "$r" "$l" "$TRIB_BUILD_FAILURE" "${PHASES[@]}"; done; return
  fi
  say "$sys round $r: starting one broker (PLAINTEXT 127.0.0.1:$(port_of "$sys" PLAINTEXT), SASL_SSL 127.0.0.1:$(port_of "$sys" SASL_SSL))"
  START_ERROR=""
  if ! "start_$sys"; then
    say "ERROR: $sys round $r: $START_ERROR"
    for l in "${LISTENERS[@]}"; do record_na "$sys" "$r" "$l" "$START_ERROR" "${PHASES[@]}"; done
    "stop_$sys"; return
  fi
  local listeners=("${LISTENERS[@]}") sasl_ok=1
  PHASE_ERROR=""
  if ! add_credential "$sys"; then
    say "ERROR: $sys round $r: $PHASE_ERROR"
    record_na "$sys" "$r" SASL_SSL "$PHASE_ERROR" "${PHASES[@]}"
    listeners=(PLAINTEXT); sasl_ok=0
  fi
  # warm-up on every usable listener, discarded
  for l in "${listeners[@]}"; do
    local rc=0
    create_topic "$sys" "warmup-$l" || { say "ERROR: $sys round $r warm-up: $PHASE_ERROR"; continue; }
    tool "$sys-r$r-$l-warmup" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "127.0.0.1:$(port_of "$sys" "$l")" \
        --topic "warmup-$l" --num-records "$WARMUP" --payload-file "$PAYLOAD" --throughput -1 \
        --command-config "$WORK/client-$l.properties" --command-property acks=1 > /dev/null || rc=$?
    tool "$sys-r$r-$l-warmup-consume" AssignConsumerPerf "127.0.0.1:$(port_of "$sys" "$l")" "warmup-$l" "$WARMUP" \
        "$WORK/client-$l.properties" > /dev/null || rc=$?
    [ "$rc" = 0 ] || say "$sys round $r: the warm-up on $l failed (exit code $rc); see $WORK/$sys-r$r-$l-warmup*.err"
  done
  if ((r % 2 == 1)); then order=(PLAINTEXT SASL_SSL); else order=(SASL_SSL PLAINTEXT); fi
  for l in "${order[@]}"; do
    [ "$l" = PLAINTEXT ] || [ "$sasl_ok" = 1 ] || continue
    local t; t="$(tr 'A-Z_' 'a-z-' <<<"$l")"
    produce "$sys" "$r" "$l" produce-acks1 "$t-acks1" 1
    produce "$sys" "$r" "$l" produce-acksall "$t-acksall" all batch.size=65536
    consume "$sys" "$r" "$l" consume "$t-acks1" "$RECORDS"
  done
  say "$sys round $r: stopping"
  "stop_$sys"
}

# --- the rounds ---------------------------------------------------------------------------------
for ((round = 1; round <= ROUNDS; round++)); do
  for sys in $SYSTEMS; do run_system "$sys" "$round"; done
done

# --- report -------------------------------------------------------------------------------------
KAFKA_VERSION="$(ls "$KAFKA_LIB"/kafka-tools-*.jar | head -n 1 | sed 's/.*kafka-tools-\(.*\)\.jar/\1/')"
python3 - "$RESULTS" "$GB" "$ROUNDS" "$RECORDS" "$RESULTS_FILE" "$COMMAND" "$STARTED_AT" "$LOAD_START" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
    "$BROKER_JVM" "$KAFKA_VERSION" "$WARMUP" <<'PY'
import statistics, sys
(results, gb, rounds, records, out_file, command, started, load0, load1, cores, cpu, jvm, kver, warmup) = sys.argv[1:]
gb = float(gb)
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
systems = [s for s in ["kafka", "tributary"] if any(r[0] == s for r in rows)]
name = {"kafka": f"Kafka {kver}", "tributary": "Tributary"}
listeners = ["PLAINTEXT", "SASL_SSL"]
phases = [("produce-acks1", "produce, acks=1 (defaults)"), ("produce-acksall", "produce, acks=all, batch.size=65536"),
          ("consume", "consume (assign, from the start)")]

def fig(s, rnd, l, p):
    for r in rows:
        if r[0] == s and r[1] == str(rnd) and r[2] == l and r[3] == p and r[4] != "n/a":
            return float(r[4]), float(r[5]) / gb
    return None

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

def fmt(v, d=2):
    return "n/a" if v is None else f"{v:.{d}f}"

rnds = sorted({int(r[1]) for r in rows})
def medfig(s, l, p, i):
    return med([f[i] for f in (fig(s, x, l, p) for x in rnds) if f])

def overhead(s, p):
    """medians of the per-round ratios: PLAINTEXT MB/s / SASL_SSL MB/s, SASL_SSL CPU / PLAINTEXT CPU, CPU difference"""
    t, c, d = [], [], []
    for x in rnds:
        a, b = fig(s, x, "PLAINTEXT", p), fig(s, x, "SASL_SSL", p)
        if a and b and b[0] > 0 and a[1] > 0:
            t.append(a[0] / b[0]); c.append(b[1] / a[1]); d.append(b[1] - a[1])
    return med(t), med(c), med(d)

def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

lines = []
lines.append("## Medians over the rounds\n")
lines.append("| system | listener | phase | MB/s | broker CPU s/GB | rounds |")
lines.append("|---|---|---|---:|---:|---:|")
for s in systems:
    for l in listeners:
        for p, label in phases:
            n = sum(1 for x in rnds if fig(s, x, l, p))
            lines.append(f"| {name[s]} | {l} | {label} | {fmt(medfig(s, l, p, 0), 1)} | {fmt(medfig(s, l, p, 1))} | {n} |")
lines.append("")
lines.append("## TLS + SASL overhead (SASL_SSL against PLAINTEXT, medians of the per-round ratios)\n")
lines.append("Throughput: PLAINTEXT MB/s ÷ SASL_SSL MB/s. CPU: SASL_SSL CPU s/GB ÷ PLAINTEXT CPU s/GB; extra: their "
             "difference in CPU s/GB. Above 1 means TLS+SASL costs that much more. T/K: Tributary's overhead ÷ Kafka's; "
             "at or below 1 means Tributary's TLS overhead is no worse than Kafka's. T/K SASL_SSL CPU s/GB: the two "
             "systems' absolute CPU cost over SASL_SSL (medians), which a lower PLAINTEXT cost can make look "
             "better than the overhead ratio.\n")
lines.append("| phase | " + " | ".join(f"{name[s]} throughput | {name[s]} CPU | {name[s]} extra CPU s/GB" for s in systems)
             + (" | T/K throughput | T/K CPU | T/K SASL_SSL CPU s/GB |" if len(systems) == 2 else " |"))
lines.append("|---|" + "---:|" * (3 * len(systems) + (3 if len(systems) == 2 else 0)))
verdicts = []
for p, label in phases:
    o = {s: overhead(s, p) for s in systems}
    cells = [f"{fmt(o[s][0])} | {fmt(o[s][1])} | {fmt(o[s][2])}" for s in systems]
    row = f"| {label} | " + " | ".join(cells)
    if len(systems) == 2:
        tt, tc = ratio(o["tributary"][0], o["kafka"][0]), ratio(o["tributary"][1], o["kafka"][1])
        row += f" | {fmt(tt)} | {fmt(tc)} | {fmt(ratio(medfig('tributary', 'SASL_SSL', p, 1), medfig('kafka', 'SASL_SSL', p, 1)))}"
        verdicts.append((label, tt, tc))
    lines.append(row + " |")
lines.append("")
if verdicts:
    lines.append("Goal \"TLS overhead no worse than Kafka's\" (T/K ≤ 1; differences within ±0.3 are run-to-run noise "
                 "on this machine, see /work/shared/BENCH-NOTES.md; the CPU ratio is the robust one):\n")
    for label, tt, tc in verdicts:
        def word(v):
            if v is None: return "not measured"
            return "met" if v <= 1.0 else ("within noise" if v <= 1.3 else "NOT met")
        lines.append(f"- {label}: CPU T/K {fmt(tc)} ({word(tc)}), throughput T/K {fmt(tt)} ({word(tt)})")
    lines.append("")
lines.append("## Every round\n")
lines.append("| system | round | listener | phase | MB/s | CPU s | CPU s/GB | tool output or why n/a |")
lines.append("|---|---:|---|---|---:|---:|---:|---|")
for r in rows:
    cpugb = "n/a" if r[5] == "n/a" else f"{float(r[5]) / gb:.2f}"
    lines.append(f"| {name.get(r[0], r[0])} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {cpugb} | {r[6].replace('|', '/')} |")
table = "\n".join(lines)
print(f"\nSecurity benchmark: {int(records):,} records x 1 KiB ({gb:.3f} GB) per phase, {rounds} round(s), medians")
print(table)

small = ""
if int(records) < 500000:
    small = (f"**Quick run ({int(records):,} records a phase):** start-up, JIT compilation and connection set-up (TLS "
             "handshake, SCRAM login) weigh on these CPU figures far more than in a full run (a warm broker needs a few "
             "CPU seconds per GB); treat them as a proof that every phase runs, not as the answer.\n\n")
md = f"""# Security benchmark results (TLS + SASL against PLAINTEXT)

`bench/security/run.sh`, written by the script.

- Date: {started}
- Command: `{command}`
- Machine: {cores} cores ({cpu}); load average at the start {load0}, at the end {load1}. The machine is
  shared with other builds and benchmarks: absolute MB/s carry ±30 % noise or more between identical
  runs; compare the ratios and the CPU seconds per GB.
- One broker of each system on 127.0.0.1, one after the other (Kafka, Tributary per round), both
  `{jvm}`: Apache Kafka {kver} (KRaft, combined broker+controller) and one Tributary node (Payara
  Micro, `server-config/bin/tributary start`). Each has a PLAINTEXT and a SASL_SSL listener (SCRAM-SHA-512;
  TLS with the same self-signed RSA 2048 PKCS12 key store, TLSv1.3 as both default, host name verification
  on); the SCRAM credential is made with kafka-configs over PLAINTEXT on both.
- Per round and system: warm-up ({int(warmup):,} records produced and consumed on each listener,
  discarded), then on each listener (PLAINTEXT first in odd rounds, SASL_SSL first in even ones):
  ProducerPerformance acks=1 (defaults), acks=all with batch.size=65536 ({int(records):,} records of
  1 KiB from a payload file, one partition), AssignConsumerPerf reading the acks=1 topic. CPU = the
  broker process's utime+stime during the phase, per GB (10^9 bytes) of record values.

{small}{table}
"""
open(out_file, "w").write(md)
print(f"\n(written to {out_file})")
PY
