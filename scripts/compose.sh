#!/usr/bin/env bash
# Runs the Docker Compose deployment (docker-compose.yml), as the seed's docker-simple.ps1 and docker-test.ps1 did.
#
#   scripts/compose.sh up [service...]       build the images, start everything (or the services named), wait until healthy
#   scripts/compose.sh down [--volumes]      stop and remove the containers (--volumes: the data too)
#   scripts/compose.sh status                containers, their health, and each service's own health answer
#   scripts/compose.sh logs [service] [-f]   logs of every service, or of one (-f follows)
#   scripts/compose.sh restart <service>     e.g. after editing a consumer route file
#   scripts/compose.sh scale <producer|group-a|group-b|group-c> <n>
#                                            n extra instances beside the named ones (0 removes them)
#   scripts/compose.sh test [args]           the smoke test against the deployment (scripts/smoke-test.sh)
#
# Works with `docker compose` (v2) and `docker-compose` (v1). COMPOSE_WAIT_SECONDS bounds the wait of `up` (300).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 1
fi

# host port -> health path of the seed's services, in the order of the seed's write-up
health_endpoints=(
  "5301 /api/messages/health" "5302 /api/messages/health" "5303 /api/messages/health"
  "5401 /api/consumer/health" "5402 /api/consumer/health" "5403 /api/consumer/health"
  "5404 /api/consumer/health" "5405 /api/consumer/health" "5406 /api/consumer/health"
)

extra_service() {  # producer|group-a|group-b|group-c -> the compose service of its extra instances
  case "$1" in
    producer) echo producer-extra ;;
    group-a|group-b|group-c) echo "consumer-$1-extra" ;;
    *) echo "unknown kind '$1': producer, group-a, group-b or group-c" >&2; return 2 ;;
  esac
}

# Waits until every started container that has a health check reports healthy; fails on an unhealthy one.
wait_healthy() {
  local deadline=$((SECONDS + ${COMPOSE_WAIT_SECONDS:-300})) waiting id state name
  while :; do
    waiting=()
    for id in $("${compose[@]}" --profile extra ps -q); do
      state=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
      name=$(docker inspect -f '{{.Name}}' "$id")
      case "$state" in
        healthy|none) ;;
        unhealthy) echo "${name#/} is unhealthy: scripts/compose.sh logs <service>" >&2; return 1 ;;
        *) waiting+=("${name#/}") ;;
      esac
    done
    [ ${#waiting[@]} -eq 0 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      echo "still not healthy after ${COMPOSE_WAIT_SECONDS:-300} s: ${waiting[*]}" >&2
      return 1
    fi
    echo "waiting for: ${waiting[*]}"
    sleep 5
  done
}

# GET http://127.0.0.1:<port><path>, printing the status code and body (curl if present, else bash's /dev/tcp).
http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -sS -m 5 -w ' [%{http_code}]' "http://127.0.0.1:$1$2" 2>&1 || true
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3 && timeout 5 cat <&3) 2>&1 \
      | tr -d '\r' | sed -n '1p;$p' || true
  fi
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  up)
    "${compose[@]}" up -d --build "$@"
    wait_healthy
    echo
    echo "up: producers http://localhost:5301-5303, consumers http://localhost:5401-5406"
    echo "    Grafana http://localhost:3000, Prometheus http://localhost:9090, Kafka UI http://localhost:8080, pgAdmin http://localhost:8082"
    ;;
  down)
    "${compose[@]}" --profile extra down --remove-orphans "$@"
    ;;
  status)
    "${compose[@]}" --profile extra ps
    echo
    for endpoint in "${health_endpoints[@]}"; do
      read -r port path <<< "$endpoint"
      printf '%-5s %-22s %s\n' "$port" "$path" "$(http_get "$port" "$path")"
    done
    ;;
  logs)
    "${compose[@]}" --profile extra logs --tail=200 "$@"
    ;;
  restart)
    [ $# -ge 1 ] || { echo "restart which service? e.g. consumer1" >&2; exit 2; }
    "${compose[@]}" restart "$@"
    wait_healthy
    ;;
  scale)
    if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
      echo "usage: scale <producer|group-a|group-b|group-c> <n>" >&2
      exit 2
    fi
    service=$(extra_service "$1")
    "${compose[@]}" --profile extra up -d --no-recreate --scale "$service=$2" "$service"
    wait_healthy
    ;;
  test)
    if [ ! -x scripts/smoke-test.sh ]; then
      echo "scripts/smoke-test.sh is not there (yet): nothing to run" >&2
      exit 1
    fi
    exec scripts/smoke-test.sh "$@"
    ;;
  ""|-h|--help|help)
    usage
    ;;
  *)
    echo "unknown command '$command'" >&2
    usage >&2
    exit 2
    ;;
esac
