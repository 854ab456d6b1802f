#!/usr/bin/env bash
# Smoke test of a running system (the local stack of ./run-local.sh or the compose deployment: same ports).
# Checks every health endpoint, sends keyed messages through every producer (several per key, one after another),
# then checks through the consumer API that every group persisted every message exactly once, in key order.
# Prints a pass/fail table; exits 1 on any failure. Needs bash, curl and jq.
#
#   scripts/smoke-test.sh [--producers URL,URL,..] [--consumers URL,URL,..] [--keys N] [--per-key N]
#                         [--topic NAME] [--timeout SECONDS] [--api-key KEY]
#
# Defaults: producers http://localhost:5301-5303, consumers http://localhost:5401-5406, 10 keys x 5 messages,
# topic shared-events, 60 s for the consumers to catch up. OUTBOX_API_KEY is sent as X-API-Key when set.
set -uo pipefail

producers="http://localhost:5301,http://localhost:5302,http://localhost:5303"
consumers="http://localhost:5401,http://localhost:5402,http://localhost:5403,http://localhost:5404,http://localhost:5405,http://localhost:5406"
keys=10
per_key=5
topic="shared-events"
timeout=60
api_key="${OUTBOX_API_KEY:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --producers) producers="$2"; shift 2 ;;
    --consumers) consumers="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --per-key) per_key="$2"; shift 2 ;;
    --topic) topic="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --api-key) api_key="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 2; }
done
IFS=',' read -ra producer_urls <<< "$producers"
IFS=',' read -ra consumer_urls <<< "$consumers"
auth=()
if [ -n "$api_key" ]; then   # the key goes to curl in a file, not on its command line (where ps shows it)
  key_header=$(mktemp)
  trap 'rm -f "$key_header"' EXIT
  chmod 600 "$key_header"
  printf 'X-API-Key: %s\n' "$api_key" > "$key_header"
  auth=(-H "@$key_header")
fi

results=()   # "status|check|seconds|detail"
failed=0
now() { date +%s.%N; }
record() {  # status check started detail
  local seconds
  seconds=$(awk -v s="$3" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }')
  results+=("$1|$2|$seconds|$4")
  [ "$1" = PASS ] || failed=1
}

# 1. Health of every service; each consumer says which group it is in.
declare -A group_url   # group -> the first consumer URL of that group
for url in "${producer_urls[@]}"; do
  started=$(now)
  body=$(curl -sS -m 5 "$url/api/messages/health" 2>&1)
  if [ "$(jq -r '.status? // empty' <<< "$body" 2>/dev/null)" = UP ]; then
    record PASS "health $url" "$started" "$(jq -r '.serviceId // ""' <<< "$body")"
  else
    record FAIL "health $url" "$started" "${body:0:120}"
  fi
done
for url in "${consumer_urls[@]}"; do
  started=$(now)
  body=$(curl -sS -m 5 "$url/api/consumer/health" 2>&1)
  if [ "$(jq -r '.status? // empty' <<< "$body" 2>/dev/null)" = UP ]; then
    group=$(jq -r '.group' <<< "$body")
    [ -z "${group_url[$group]:-}" ] && group_url[$group]="$url"
    record PASS "health $url" "$started" "$group, partitions $(jq -c '.assignedPartitions' <<< "$body")"
  else
    record FAIL "health $url" "$started" "${body:0:120}"
  fi
done

# 2. Keyed messages through every producer in turn; each key's messages one after another, so their order is known.
run="smoke-$(date +%s)-$RANDOM"
declare -A sent   # key -> event ids in send order
started=$(now)
accepted=0
send_failures=0
n=0
for ((seq = 0; seq < per_key; seq++)); do
  for ((k = 0; k < keys; k++)); do
    key="$run-k$k"
    url="${producer_urls[$((n % ${#producer_urls[@]}))]}"
    n=$((n + 1))
    body=$(jq -nc --arg topic "$topic" --arg key "$key" --argjson seq "$seq" \
      '{topic: $topic, key: $key, message: ({sequence: $seq} | tostring)}')
    answer=$(curl -sS -m 10 -w '\n%{http_code}' -X POST "$url/api/messages/send" "${auth[@]}" \
      -H 'Content-Type: application/json' -H "Idempotency-Key: $key/$seq" -d "$body" 2>&1)
    code="${answer##*$'\n'}"
    if [ "$code" = 202 ] || [ "$code" = 201 ] || [ "$code" = 200 ]; then
      sent[$key]+="$(jq -r '.eventId' <<< "${answer%$'\n'*}") "
      accepted=$((accepted + 1))
    else
      send_failures=$((send_failures + 1))
      [ "$send_failures" -eq 1 ] && first_failure="$url: $code ${answer:0:100}"
    fi
  done
done
if [ "$send_failures" -eq 0 ]; then
  record PASS "send $((keys * per_key)) messages via ${#producer_urls[@]} producers" "$started" "$accepted accepted"
else
  record FAIL "send $((keys * per_key)) messages via ${#producer_urls[@]} producers" "$started" \
    "$send_failures failed, first: $first_failure"
fi

# 3. Every group persisted every accepted message exactly once, in each key's order (the consumer API lists a
#    key's events in the order the group persisted them).
if [ ${#group_url[@]} -eq 0 ]; then
  record FAIL "consumer groups" "$(now)" "no healthy consumer to ask"
fi
for group in $(printf '%s\n' "${!group_url[@]}" | sort); do
  url="${group_url[$group]}"
  started=$(now)
  deadline=$(( $(date +%s) + timeout ))
  pending=("${!sent[@]}")
  problem=""
  while [ ${#pending[@]} -gt 0 ]; do
    still=()
    for key in "${pending[@]}"; do
      expected="${sent[$key]}"
      listed=$(curl -sS -m 5 -G "$url/api/consumer/events" "${auth[@]}" --data-urlencode "key=$key" \
        --data-urlencode "limit=1000" 2>/dev/null | jq -r '[.events[]?.eventId] | join(" ")' 2>/dev/null)
      if [ "$listed " = "$expected" ]; then
        continue
      fi
      if [ "$(wc -w <<< "$listed")" -ge "$(wc -w <<< "$expected")" ]; then
        problem="key $key: expected [$expected] persisted once in this order, got [$listed]"
        break 2
      fi
      still+=("$key")
    done
    pending=("${still[@]}")
    if [ ${#pending[@]} -gt 0 ]; then
      if [ "$(date +%s)" -ge "$deadline" ]; then
        problem="${#pending[@]} of ${#sent[@]} keys incomplete after ${timeout}s (e.g. ${pending[0]})"
        break
      fi
      sleep 0.5
    fi
  done
  if [ -z "$problem" ]; then
    record PASS "$group: each message once, in key order" "$started" "$accepted events via $url"
  else
    record FAIL "$group: each message once, in key order" "$started" "$problem"
  fi
done

printf '\n%-6s  %-58s  %8s  %s\n' RESULT CHECK SECONDS DETAIL
for line in "${results[@]}"; do
  IFS='|' read -r status check seconds detail <<< "$line"
  printf '%-6s  %-58s  %8s  %s\n' "$status" "$check" "$seconds" "$detail"
done
if [ "$failed" -eq 0 ]; then
  echo; echo "smoke test passed"
else
  echo; echo "smoke test FAILED"
fi
exit "$failed"
