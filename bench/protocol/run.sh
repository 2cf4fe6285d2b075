#!/usr/bin/env bash
# Protocol benchmark: one Tributary broker and one Apache Kafka broker (KRaft, combined mode; the root pom's kafka.version),
# each on 127.0.0.1, one after the other, driven by Kafka's own perf tools.
#
#   bench/protocol/run.sh            ROUNDS=2 RECORDS=1000000 by default (records of 1 KiB, payload file)
#
# Per round and system: warm-up produce (discarded), ProducerPerformance acks=1 (defaults),
# ProducerPerformance acks=all (batch.size=65536), then consumer throughput. Broker CPU seconds come
# from /proc/PID/stat (utime+stime) before and after each phase and are reported per GB.
#
# Consumer: AssignConsumerPerf (a kafka-clients consumer, assign+seek, no group) and Kafka's own
# ConsumerPerformance (subscribes with a consumer group), both against each system.
#
# Tributary: the real node (server-config/bin/tributary start/stop) when the node serves the Kafka
# protocol (its broker wiring calls KafkaServer); otherwise the KafkaServer facade through BenchBroker.
# Force with TRIBUTARY_MODE=node|embedded.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${BENCH_WORK:-$HERE/target/run}"
KAFKA_LIB="$HERE/target/kafka-lib"
RECORDS="${RECORDS:-1000000}"
WARMUP="${WARMUP:-200000}"
ROUNDS="${ROUNDS:-2}"
PORT="${BENCH_PORT:-19092}"
BROKER_JVM="${BROKER_JVM:--Xmx1g -XX:+UseG1GC}"
TOOL_JVM="${TOOL_JVM:--Xmx768m}"
CLK_TCK="$(getconf CLK_TCK)"
GB="$(awk -v n="$RECORDS" 'BEGIN { printf "%.4f", n * 1024 / 1e9 }')"

say() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
BROKER_PID=""

cleanup() {
  if [ -n "$BROKER_PID" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  if [ "${MODE:-}" = node ]; then TRIBUTARY_DATA="$WORK/node-data" "$ROOT/server-config/bin/tributary" stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# --- dependencies and builds -------------------------------------------------------------------
# the Kafka version is the root pom's kafka.version (the one the engine is built against); copied
# afresh each run so a version change never leaves two versions' jars side by side
say "resolving Apache Kafka and its tools (the root pom's kafka.version) from Maven Central"
rm -rf "$KAFKA_LIB"
mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime
KAFKA_TOOLS_JAR="$(ls "$KAFKA_LIB"/kafka-tools-*.jar 2>/dev/null | head -n 1)"
[ -n "$KAFKA_TOOLS_JAR" ] || die "no kafka-tools jar in $KAFKA_LIB after resolving $HERE/pom.xml"
say "Apache Kafka $(basename "$KAFKA_TOOLS_JAR" .jar | sed 's/^kafka-tools-//')"
say "building the broker engine and the benchmark classes (module bench, no tests)"
(cd "$ROOT" && mvn -B -q -pl bench -am package -Dmaven.test.skip=true)
BENCH_CLASSES="$ROOT/bench/target/classes"
TRIB_CP="$BENCH_CLASSES:$(cat "$ROOT/bench/target/classpath.txt")"

MODE="${TRIBUTARY_MODE:-}"
if [ -z "$MODE" ]; then
  if [ -x "$ROOT/server-config/bin/tributary" ] && grep -rqs "KafkaServer" "$ROOT/ejb/src/main/java/org/tributary/broker" "$ROOT/ejb/src/main/java/org/tributary/ee"; then
    MODE=node
  else
    MODE=embedded
  fi
fi
say "Tributary mode: $MODE"

PAYLOAD="$WORK/payload.txt"
if [ ! -s "$PAYLOAD" ]; then
  python3 -c 'import base64, os
for _ in range(1000): print(base64.b64encode(os.urandom(768)).decode())' > "$PAYLOAD"
fi

# --- helpers -----------------------------------------------------------------------------------
wait_port() {
  local deadline=$((SECONDS + ${1:-240}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "no broker on 127.0.0.1:$PORT"
    [ -z "$BROKER_PID" ] || kill -0 "$BROKER_PID" 2>/dev/null || die "the broker exited during start-up; see $WORK/*.log"
    sleep 0.5
  done
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
cpu_seconds() { awk -v a="$1" -v b="$2" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }'; }
tool() { java $TOOL_JVM -cp "$KAFKA_LIB/*:$BENCH_CLASSES" "$@" 2>>"$WORK/tools.err"; }
create_topic() {
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" --create --topic "$1" \
      --partitions 1 --replication-factor 1 >/dev/null
}
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$RESULTS"; }

produce() { # system phase topic acks extra-props...
  local sys="$1" phase="$2" topic="$3" acks="$4"; shift 4
  local before after out mbs
  create_topic "$topic"
  before="$(ticks "$BROKER_PID")"
  out="$(tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$RECORDS" \
      --payload-file "$PAYLOAD" --throughput -1 --producer-props "bootstrap.servers=127.0.0.1:$PORT" "acks=$acks" "$@" | tail -n 1)"
  after="$(ticks "$BROKER_PID")"
  mbs="$(sed -n 's/.*records\/sec (\([0-9.]*\) MB\/sec).*/\1/p' <<<"$out")"
  say "$sys $phase: $out"
  record "$sys" "$phase" "$mbs" "$(cpu_seconds "$before" "$after")" "$out"
}

consume() { # system topic
  local sys="$1" topic="$2" before after out mbs
  before="$(ticks "$BROKER_PID")"
  out="$(tool AssignConsumerPerf "127.0.0.1:$PORT" "$topic" "$RECORDS")"
  after="$(ticks "$BROKER_PID")"
  mbs="$(sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p' <<<"$out")"
  say "$sys consume: $out"
  record "$sys" "consume" "$mbs" "$(cpu_seconds "$before" "$after")" "$out"
}

consume_group() { # system topic: Kafka's ConsumerPerformance, which joins a consumer group
  local sys="$1" topic="$2" before after out mbs
  before="$(ticks "$BROKER_PID")"
  out="$(tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$PORT" --topic "$topic" \
      --messages "$RECORDS" --timeout 60000 2>/dev/null | tail -n 1)"
  after="$(ticks "$BROKER_PID")"
  mbs="$(awk -F', *' '{ print $4 }' <<<"$out")"
  say "$sys consume-group: $out"
  record "$sys" "consume-group" "$mbs" "$(cpu_seconds "$before" "$after")" "$out"
}

start_tributary() {
  rm -rf "$WORK/trib-data" "$WORK/node-data"
  if [ "$MODE" = node ]; then
    TRIBUTARY_DATA="$WORK/node-data" TRIBUTARY_KAFKA_PORT="$PORT" TRIBUTARY_HTTP_PORT="${BENCH_HTTP_PORT:-18080}" \
        TRIBUTARY_JAVA_OPTS="$BROKER_JVM -Dgroup.initial.rebalance.delay.ms=0" TRIBUTARY_START_TIMEOUT=300 \
        "$ROOT/server-config/bin/tributary" start > "$WORK/tributary-node.log" 2>&1 \
        || die "the Tributary node did not start; see $WORK/tributary-node.log and $WORK/node-data/node-0/server.log"
    BROKER_PID="$(cat "$WORK/node-data/node-0/tributary.pid")"
  else
    java $BROKER_JVM -cp "$TRIB_CP" BenchBroker "$WORK/trib-data" "$PORT" > "$WORK/tributary.log" 2>&1 &
    BROKER_PID=$!
  fi
  wait_port
}

stop_tributary() {
  if [ "$MODE" = node ]; then
    TRIBUTARY_DATA="$WORK/node-data" "$ROOT/server-config/bin/tributary" stop >/dev/null 2>&1 || true
  else
    kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
  fi
  BROKER_PID=""
  rm -rf "$WORK/trib-data" "$WORK/node-data"
}

start_kafka() {
  local dir="$WORK/kafka-data" id
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$WORK/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((PORT + 1))
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$((PORT + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  id="$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$WORK/server.properties" > "$WORK/kafka-format.log" 2>&1
  java $BROKER_JVM -cp "$KAFKA_LIB/*" kafka.Kafka "$WORK/server.properties" > "$WORK/kafka.log" 2>&1 &
  BROKER_PID=$!
  wait_port
}

stop_kafka() {
  kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
  BROKER_PID=""
  rm -rf "$WORK/kafka-data"
}

run_system() { # tributary|kafka
  local sys="$1"
  say "starting $sys"
  "start_$sys"
  local saved="$RECORDS"; RECORDS="$WARMUP"
  create_topic warmup
  tool org.apache.kafka.tools.ProducerPerformance --topic warmup --num-records "$WARMUP" --payload-file "$PAYLOAD" \
      --throughput -1 --producer-props "bootstrap.servers=127.0.0.1:$PORT" acks=1 >/dev/null
  RECORDS="$saved"
  produce "$sys" "produce-acks1" bench-acks1 1
  produce "$sys" "produce-acksall" bench-acksall all batch.size=65536
  consume "$sys" bench-acks1
  consume_group "$sys" bench-acksall
  "stop_$sys"
}

for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2 == 1)); then order=(tributary kafka); else order=(kafka tributary); fi
  for sys in "${order[@]}"; do run_system "$sys"; done
done

# --- report -------------------------------------------------------------------------------------
python3 - "$RESULTS" "$GB" "$ROUNDS" "$MODE" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
gb, rounds, mode = float(sys.argv[2]), sys.argv[3], sys.argv[4]
def med(sys_, phase, col):
    vals = [float(r[col]) for r in rows if r[0] == sys_ and r[1] == phase and r[col]]
    return statistics.median(vals) if vals else float("nan")
print(f"\nProtocol benchmark: {gb*1e9/1024:.0f} records x 1 KiB ({gb:.3f} GB), median of {rounds} round(s); Tributary mode: {mode}")
print(f"{'phase':<18}{'Tributary MB/s':>15}{'Kafka MB/s':>12}{'ratio':>8}   {'Trib CPU s/GB':>14}{'Kafka CPU s/GB':>15}{'ratio':>8}")
for phase in ["produce-acks1", "produce-acksall", "consume", "consume-group"]:
    tm, km = med("tributary", phase, 2), med("kafka", phase, 2)
    tc, kc = med("tributary", phase, 3) / gb, med("kafka", phase, 3) / gb
    print(f"{phase:<18}{tm:>15.1f}{km:>12.1f}{tm/km:>8.2f}   {tc:>14.2f}{kc:>15.2f}{tc/kc:>8.2f}")
import re
def p99(sys_, phase):
    vals = [float(m.group(1)) for r in rows if r[0] == sys_ and r[1] == phase
            for m in [re.search(r"([0-9.]+) ms 99th", r[4])] if m]
    return statistics.median(vals) if vals else float("nan")
for phase in ["produce-acks1", "produce-acksall"]:
    tp, kp = p99("tributary", phase), p99("kafka", phase)
    print(f"{phase:<18} producer p99 latency: Tributary {tp:.0f} ms, Kafka {kp:.0f} ms, ratio {tp/kp:.2f}")
print("(MB/s as reported by the tools; CPU = broker process utime+stime per GB of payload; ratio = Tributary/Kafka)")
PY
