#!/usr/bin/env bash
# The long fault suite: the pipeline as deployed (2 producers, group-a x2, group-b x1, each its own process) on
# embedded PostgreSQL and Kafka, under a keyed load five times that of ./mvnw verify, with Kafka down for 60 s,
# PostgreSQL down for 20 s and four rebalance rounds. Prints the fault table; exits non-zero when a promise broke.
# Takes about 10 minutes here. Service logs: system-tests/target/fault-suite/logs/.
#
#   scripts/fault-suite.sh [--quick]      # --quick: the short variant that ./mvnw verify runs
set -euo pipefail
cd "$(dirname "$0")/.."
full=true
[ "${1:-}" = "--quick" ] && full=false
mkdir -p system-tests/target
set +e
./mvnw -B -ntp -pl system-tests -am verify -Dtest=FaultSuiteTest -Dfaults.full="$full" \
  -Dsurefire.failIfNoSpecifiedTests=false > system-tests/target/fault-suite.log 2>&1
status=$?
set -e
grep -E '^(fault  |[A-Za-z].* [0-9]+ +[0-9]+ +-?[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+s$)|Tests run:.*Fault|FAIL|ERROR\]  ' \
  system-tests/target/fault-suite.log || true
echo "full log: system-tests/target/fault-suite.log"
exit "$status"
