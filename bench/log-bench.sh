#!/usr/bin/env bash
# Tributary storage-engine benchmark: log append/read throughput vs a raw FileChannel on the same disk.
# Usage: bench/log-bench.sh [dataDir] [MiB per run] [rounds]
# Builds the ejb module's classes with Maven (no install), compiles the benchmark with javac, runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/bench/target"
mkdir -p "$OUT/classes"
cd "$ROOT"
mvn -B -q -pl ejb compile
mvn -B -q -pl ejb dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime >/dev/null
CP="$ROOT/ejb/target/classes:$(cat "$OUT/classpath.txt")"
javac -nowarn -d "$OUT/classes" -cp "$CP" $(find "$ROOT/bench/src/main/java" -name '*.java')
exec java -Xms512m -Xmx512m -cp "$OUT/classes:$CP" org.tributary.bench.LogBench "${1:-$OUT/data}" "${2:-256}" "${3:-4}"
