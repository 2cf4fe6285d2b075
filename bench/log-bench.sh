#!/usr/bin/env bash
# Tributary storage-engine benchmark: log append/read throughput vs a raw FileChannel on the same disk.
# Usage: bench/log-bench.sh [dataDir] [MiB per run] [rounds]
# Builds the bench module and the engine with Maven (no install, no tests; the same build CI compiles), runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/bench/target"
cd "$ROOT"
mvn -B -q -pl bench -am package -Dmaven.test.skip=true
CP="$OUT/classes:$(cat "$OUT/classpath.txt")"
exec java -Xms512m -Xmx512m -cp "$CP" org.tributary.bench.LogBench "${1:-$OUT/data}" "${2:-256}" "${3:-4}"
