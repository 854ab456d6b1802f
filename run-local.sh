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

setup_seconds=0   # building and recording class data: first run after a change only
stamp=bench/target/run-local.built
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml */pom.xml routes-producer/src routes-consumer/src src-shared/src embedded-infra/src \
    -newer "$stamp" -print -quit)" ]; then
  echo "building (first run or sources changed)..."
  setup_started=$SECONDS
  ./mvnw -q -B -ntp -pl bench,routes-consumer -am package -DskipTests
  # Unpacked jars start faster than nested ones, and can use a class-data archive (made below, once).
  rm -rf .local/app
  for service in producer consumer; do
    java -Djarmode=tools -jar "$(ls routes-$service/target/routes-$service-*-exec.jar)" extract \
      --destination ".local/app/$service" >/dev/null
  done
  touch "$stamp"
  setup_seconds=$((SECONDS - setup_started))
fi
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
db="Host=127.0.0.1;Port=5432;Database=outbox_db;Username=outbox_user;Password=outbox_password"
$fresh && rm -rf "$data"
mkdir -p "$data/logs"

pids=()
stop() {
  local code=$?
  trap - INT TERM EXIT
  echo; echo "stopping..."
  # services first (in-flight batches finish and commit while Kafka and PostgreSQL are still up), then the
  # infrastructure; whatever has not stopped after 30 s is killed
  for ((i=${#pids[@]}-1; i>=1; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for ((n=0; n<60; n++)); do
    alive=0
    for ((i=1; i<${#pids[@]}; i++)); do kill -0 "${pids[$i]}" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for ((i=1; i<${#pids[@]}; i++)); do kill -9 "${pids[$i]}" 2>/dev/null || true; done
  if [ ${#pids[@]} -gt 0 ]; then kill "${pids[0]}" 2>/dev/null || true; fi
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

# Class-data sharing: a training start of each service (to the end of its Spring context refresh, against the
# database just started) records the classes it loads; later starts map them in, saving about 40% of start-up
# CPU on a machine where nine JVMs start on two cores.
jvm=(-Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=64m)
heap() {  # producer|consumer: a producer's publisher holds up to two claims of 16 MB of large events (README)
  if [ "$1" = producer ]; then echo -Xmx384m; else echo -Xmx256m; fi
}
for service in producer consumer; do
  if [ ! -f ".local/app/$service.jsa" ]; then
    echo "recording the $service's class-data archive (first run after a build)..."
    setup_started=$SECONDS
    ConnectionStrings__DefaultConnection="$db" ConnectionStrings__Kafka="127.0.0.1:9092" PORT=0 \
      java "$(heap "$service")" "${jvm[@]}" -XX:ArchiveClassesAtExit=".local/app/$service.jsa" \
      -Dspring.context.exit=onRefresh -jar .local/app/$service/routes-$service-*.jar \
      > "$data/logs/$service-training.log" 2>&1 \
      || rm -f ".local/app/$service.jsa"
    setup_seconds=$((setup_seconds + SECONDS - setup_started))
  fi
done
service_command() {  # producer|consumer: sets "command" to the java command line of that service
  command=(java "$(heap "$1")" "${jvm[@]}")
  [ -f ".local/app/$1.jsa" ] && command+=(-XX:SharedArchiveFile=".local/app/$1.jsa")
  command+=(-jar "$(ls .local/app/$1/routes-$1-*.jar)")
}

service_command producer
for i in $(seq 1 "$producers"); do
  SERVICE_ID="producer-$i" INSTANCE_ID="producer-$i-instance" PORT=$((5300 + i)) \
  ConnectionStrings__DefaultConnection="$db" ConnectionStrings__Kafka="127.0.0.1:9092" \
    "${command[@]}" > "$data/logs/producer-$i.log" 2>&1 &
  pids+=($!)
done
await_health() {  # url name pid
  until curl -fsS "$1" >/dev/null 2>&1; do
    kill -0 "$3" 2>/dev/null || { echo "$2 died during start-up, see $data/logs/$2.log" >&2; exit 1; }
    sleep 1
  done
}
for i in $(seq 1 "$producers"); do await_health "http://127.0.0.1:$((5300 + i))/api/messages/health" "producer-$i" "${pids[$i]}"; done

service_command consumer
for i in $(seq 1 ${#groups[@]}); do
  SERVICE_ID="consumer-$i" INSTANCE_ID="consumer-$i-instance" PORT=$((5400 + i)) \
  KAFKA_CONSUMER_GROUP="${groups[$((i - 1))]}" KAFKA_TOPICS=shared-events ProducerService__BaseUrl=http://127.0.0.1:5301 \
  ConnectionStrings__DefaultConnection="$db" ConnectionStrings__Kafka="127.0.0.1:9092" \
    "${command[@]}" > "$data/logs/consumer-$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 1 ${#groups[@]}); do
  await_health "http://127.0.0.1:$((5400 + i))/api/consumer/health" "consumer-$i" "${pids[$((producers + i))]}"
done
rss_kib=0
for pid in "${pids[@]}"; do
  rss_kib=$((rss_kib + $(awk '/VmRSS/ {v = $2} END {print v + 0}' "/proc/$pid/status" 2>/dev/null || echo 0)))
done
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
setup_note=""
[ "$setup_seconds" -gt 0 ] && setup_note=" (of which $setup_seconds s building and recording class data, first run only)"
echo "healthy $SECONDS s after the command$setup_note; $((rss_kib / 1024)) MiB resident in all"
echo "logs        $data/logs"
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
