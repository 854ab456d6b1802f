#!/usr/bin/env bash
# Runs the system locally on embedded PostgreSQL 17 (durable) and a KRaft Kafka broker: no Docker, no installed
# services. Each service is its own process on the seed's ports. Ctrl-C stops everything.
#
#   ./run-local.sh [--producers N] [--consumers a=3,b=2,c=1] [--data DIR] [--fresh]
#
#   --producers N       producers on ports 5301.. (default 3)
#   --consumers SPEC    members per group, consumers on ports 5401.. in this order (default a=3,b=2,c=1)
#   --data DIR          PostgreSQL, Kafka and logs; kept across runs (default .local/data)
#   --fresh             delete the data directory first
set -euo pipefail
cd "$(dirname "$0")"

producers=3
consumers="a=3,b=2,c=1"
data=".local/data"
fresh=false
while [ $# -gt 0 ]; do
  case "$1" in
    --producers) producers="$2"; shift 2 ;;
    --consumers) consumers="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --fresh) fresh=true; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v java >/dev/null || { echo "Java 17 or newer is needed (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "Java 17 or newer is needed; 'java' here is version $java_major (set JAVA_HOME/PATH to a newer one)" >&2; exit 1
fi
# consumer i (1-based, in group order) listens on 5400+i, in the group its letter names
groups=()
IFS=',' read -ra parts <<< "$consumers"
for part in "${parts[@]}"; do
  letter="${part%%=*}"; count="${part##*=}"
  for ((n=0; n<count; n++)); do groups+=("group-$letter"); done
done
for port in 5432 9092 $(seq 5301 $((5300 + producers))) $(seq 5401 $((5400 + ${#groups[@]}))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use: stop what holds it, then try again" >&2; exit 1
  fi
done

stamp=bench/target/run-local.built
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml */pom.xml routes-producer/src routes-consumer/src src-shared/src embedded-infra/src \
    -newer "$stamp" -print -quit)" ]; then
  echo "building (first run or sources changed)..."
  ./mvnw -q -B -ntp -pl bench,routes-consumer -am package -DskipTests
  touch "$stamp"
fi
built_at=$SECONDS
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
producer_jar=$(ls routes-producer/target/routes-producer-*-exec.jar)
consumer_jar=$(ls routes-consumer/target/routes-consumer-*-exec.jar)
db="Host=127.0.0.1;Port=5432;Database=outbox_db;Username=outbox_user;Password=outbox_password"
$fresh && rm -rf "$data"
mkdir -p "$data/logs"

pids=()
stop() {
  local code=$?
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped"
  exit "$code"
}
trap stop INT TERM EXIT

java -Xmx768m -cp "$cp" dev.outbox.infra.InfraMain --data "$data" > "$data/logs/infra.log" 2>&1 &
pids+=($!)
until grep -q READY "$data/logs/infra.log" 2>/dev/null; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "infrastructure failed to start, see $data/logs/infra.log" >&2; exit 1; }
  sleep 0.5
done

jvm=(-Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=64m)
for i in $(seq 1 "$producers"); do
  SERVICE_ID="producer-$i" INSTANCE_ID="producer-$i-instance" PORT=$((5300 + i)) \
  ConnectionStrings__DefaultConnection="$db" ConnectionStrings__Kafka="127.0.0.1:9092" \
    java "${jvm[@]}" -jar "$producer_jar" > "$data/logs/producer-$i.log" 2>&1 &
  pids+=($!)
done
await_health() {  # url name pid
  until curl -fsS "$1" >/dev/null 2>&1; do
    kill -0 "$3" 2>/dev/null || { echo "$2 died during start-up, see $data/logs/$2.log" >&2; exit 1; }
    sleep 1
  done
}
for i in $(seq 1 "$producers"); do await_health "http://127.0.0.1:$((5300 + i))/api/messages/health" "producer-$i" "${pids[$i]}"; done

for i in $(seq 1 ${#groups[@]}); do
  SERVICE_ID="consumer-$i" INSTANCE_ID="consumer-$i-instance" PORT=$((5400 + i)) \
  KAFKA_CONSUMER_GROUP="${groups[$((i - 1))]}" KAFKA_TOPICS=shared-events ProducerService__BaseUrl=http://127.0.0.1:5301 \
  ConnectionStrings__DefaultConnection="$db" ConnectionStrings__Kafka="127.0.0.1:9092" \
    java "${jvm[@]}" -jar "$consumer_jar" > "$data/logs/consumer-$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 1 ${#groups[@]}); do
  await_health "http://127.0.0.1:$((5400 + i))/api/consumer/health" "consumer-$i" "${pids[$((producers + i))]}"
done
rss_kib=0
for pid in "${pids[@]}"; do rss_kib=$((rss_kib + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0))); done
echo
printf '%-12s %-24s %-7s %s\n' SERVICE URL HEALTH GROUP
for i in $(seq 1 "$producers"); do
  printf '%-12s %-24s %-7s %s\n' "producer-$i" "http://127.0.0.1:$((5300 + i))" UP -
done
for i in $(seq 1 ${#groups[@]}); do
  printf '%-12s %-24s %-7s %s\n' "consumer-$i" "http://127.0.0.1:$((5400 + i))" UP "${groups[$((i - 1))]}"
done
echo
echo "PostgreSQL  jdbc:postgresql://127.0.0.1:5432/outbox_db  user outbox_user  password outbox_password  (durable)"
echo "Kafka       127.0.0.1:9092  (KRaft; topic shared-events, 6 partitions)"
echo "healthy $((SECONDS - built_at)) s after start, $((rss_kib / 1024)) MiB resident in all; logs in $data/logs"
echo
echo "try:  curl -i -X POST http://127.0.0.1:5301/api/messages/send -H 'Content-Type: application/json' -d '{\"topic\":\"shared-events\",\"key\":\"k1\",\"message\":\"hello\"}'"
echo "      curl http://127.0.0.1:5401/api/consumer/events?key=k1"
echo "check: scripts/smoke-test.sh    stop: Ctrl-C"

# Report a service that dies; the others keep running until Ctrl-C.
names=(infrastructure)
for i in $(seq 1 "$producers"); do names+=("producer-$i"); done
for i in $(seq 1 ${#groups[@]}); do names+=("consumer-$i"); done
declare -A reported
while true; do
  wait -n "${pids[@]}" 2>/dev/null || true
  for n in "${!pids[@]}"; do
    if [ -z "${reported[$n]:-}" ] && ! kill -0 "${pids[$n]}" 2>/dev/null; then
      reported[$n]=1
      echo "$(date +%T) ${names[$n]} stopped; see $data/logs/${names[$n]/infrastructure/infra}.log" >&2
    fi
  done
  [ ${#reported[@]} -lt ${#pids[@]} ] || break
done
