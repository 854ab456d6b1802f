#!/bin/sh
# Starts the service of this image (OUTBOX_MAIN_CLASS) as PID 1, so `docker stop` reaches the JVM and the
# service shuts down gracefully (the producer hands its key-hash buckets over, the consumer commits).
set -eu

# A container started without identities (e.g. `docker compose --scale`) gets unique ones from its hostname:
# a publisher owns its buckets by INSTANCE_ID, so two running instances must never share one.
SERVICE_ID="${SERVICE_ID:-${OUTBOX_SERVICE_KIND}-$(hostname)}"
INSTANCE_ID="${INSTANCE_ID:-${SERVICE_ID}-instance}"
export SERVICE_ID INSTANCE_ID

# /etc/outbox comes first on the class path, so files mounted there override the jar's copies: the consumer's
# shipped routes read their SQL as classpath:routes/sql/*.sql, which then resolves to the mounted folder.
# JAVA_OPTS is split on spaces on purpose (one option per word).
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "/etc/outbox:/opt/outbox/app.jar" "${OUTBOX_MAIN_CLASS}" "$@"
