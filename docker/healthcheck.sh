#!/bin/bash
# Docker's health check of a service container: its own health endpoint (OUTBOX_HEALTH_PATH on PORT) answers
# 200. Plain bash (/dev/tcp) so the image needs neither curl nor wget; exits non-zero on anything else.
#
#   healthcheck.sh [port] [path]     (defaults: $PORT, $OUTBOX_HEALTH_PATH)
set -u
port="${1:-${PORT:?}}"
path="${2:-${OUTBOX_HEALTH_PATH:?}}"

exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "${path}" >&3
read -r -t 5 _ status _ <&3 || exit 1
[ "${status}" = "200" ]
