#!/usr/bin/env bash
# Benchmark: ./scripts/bench.sh [ingest] [drain] [latency] [consumer] [e2e] [topology] [outage] [--quick] [--profile]
# (--profile: a JFR recording of every child JVM in bench/target/profiles, e.g. jfr view hot-methods FILE)
# Settings for a tuning run go to every producer or consumer it starts: BENCH_PRODUCER_ARGS="--outbox.publisher.lanes=8",
# BENCH_CONSUMER_ARGS="--outbox.consumer.concurrency=1" (space-separated Spring arguments).
# Builds what it needs, runs on durable embedded PostgreSQL and a local Kafka broker, prints a table and
# writes bench/results/latest.{json,md}. Needs wrk (Debian package; installed here when missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list 2>/dev/null)" ] || missing+=(fontconfig fonts-dejavu-core) # charts
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; else
    echo "missing: sudo apt-get install ${missing[*]}" >&2; exit 1; fi
fi
./mvnw -q -B -ntp -pl bench,routes-consumer -am package -DskipTests
exec java -Xmx2g -Djava.awt.headless=true -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.outbox.bench.Bench "$@"
