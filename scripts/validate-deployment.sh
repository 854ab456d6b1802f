#!/usr/bin/env bash
# Validates the deployment files without a Docker engine (CI runs it after ./mvnw verify, see .ci/run):
#   - docker-compose.yml           docker-compose config (Debian's docker-compose 1.29: stricter than Compose v2)
#   - prometheus/                  promtool check config, check rules, test rules (the alerts' unit tests)
#   - grafana/dashboards/*.json    type-checked against @grafana/schema's Dashboard type with tsc; every query
#                                  parsed by promtool (as a recording rule)
#   - scripts/*.sh, docker/*.sh    bash -n, and shellcheck
# Installs what it lacks (apt-get as root, npm into a scratch folder). Exits non-zero on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."

# Versions the dashboards are checked against: keep GRAFANA_SCHEMA equal to the grafana image in docker-compose.yml.
GRAFANA_SCHEMA_VERSION=12.4.11
TYPESCRIPT_VERSION=5.9.3

step() { printf '\n== %s\n' "$*"; }

apt_install() {  # command package...
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1 is missing: install ${*:2} (apt-get install ${*:2}) or run this script as root" >&2
    exit 1
  fi
  if [ -z "${apt_updated:-}" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "${@:2}" >/dev/null
}

step "tools"
apt_install docker-compose docker-compose
apt_install promtool prometheus
apt_install shellcheck shellcheck
apt_install npm nodejs npm
docker-compose version --short
promtool --version 2>&1 | head -1

step "docker-compose.yml"
docker-compose -f docker-compose.yml config -q
# the scaling profile must be valid too
docker-compose -f docker-compose.yml --profile extra config -q
echo "valid"

step "prometheus"
promtool check config prometheus/prometheus.yml
promtool check rules prometheus/rules/*.yml
promtool test rules prometheus/tests/*.yml

step "grafana dashboards against @grafana/schema ${GRAFANA_SCHEMA_VERSION}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && npm init -y >/dev/null \
  && npm install --silent --no-audit --no-fund --no-save \
       "@grafana/schema@${GRAFANA_SCHEMA_VERSION}" "typescript@${TYPESCRIPT_VERSION}" >/dev/null)
# Grafana keeps enum-typed fields (thresholds mode, color mode...) as their string values in JSON; JsonOf accepts
# those and checks every other field exactly as the schema types it (unknown properties included).
cat > "$scratch/json-of.ts" <<'EOF'
export type JsonOf<T> = T extends string
  ? `${T}`
  : T extends (infer U)[]
    ? JsonOf<U>[]
    : T extends object
      ? { [K in keyof T]: JsonOf<T[K]> }
      : T;
EOF
checked=()
for dashboard in grafana/dashboards/*.json; do
  name=$(basename "$dashboard" .json)
  {
    echo "import type { Dashboard } from '@grafana/schema';"
    echo "import type { JsonOf } from './json-of';"
    echo "export const dashboard: JsonOf<Dashboard> ="
    cat "$dashboard"
    echo ";"
  } > "$scratch/$name.ts"
  checked+=("$scratch/$name.ts")
  echo "$dashboard"
done
[ ${#checked[@]} -gt 0 ] || { echo "no dashboard in grafana/dashboards" >&2; exit 1; }
"$scratch/node_modules/.bin/tsc" --noEmit --strict --module esnext --moduleResolution bundler --target es2022 \
  "${checked[@]}"
echo "valid"

step "dashboard queries parse as PromQL (promtool, as recording rules)"
# Grafana's interval variables become durations; $service/$group sit inside regex strings and stay as they are.
cat > "$scratch/queries.js" <<'EOF'
const fs = require('fs');
const queries = [];
for (const file of process.argv.slice(2)) {
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const panel of (dashboard.panels || []).flatMap(p => [p, ...(p.panels || [])])) {
    for (const target of panel.targets || []) if (target.expr) queries.push(target.expr);
  }
  for (const variable of (dashboard.templating || {}).list || []) {
    const query = typeof variable.query === 'string' ? variable.query : (variable.query || {}).query || '';
    const labelValues = /^label_values\((.*),\s*\w+\)$/s.exec(query.trim());
    if (variable.type === 'query' && query) queries.push(labelValues ? labelValues[1] : query);
  }
}
const duration = expr => expr.replace(/\$__(rate_interval|interval)/g, '1m').replace(/\$__range/g, '1h');
const rules = queries.map((expr, i) => ({ record: `dashboard:query_${i}`, expr: duration(expr) }));
console.log(JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }, null, 1));
EOF
node "$scratch/queries.js" grafana/dashboards/*.json > "$scratch/dashboard-queries.yml"
promtool check rules "$scratch/dashboard-queries.yml"

step "shell scripts"
for script in scripts/*.sh docker/*.sh; do
  bash -n "$script"
done
shellcheck --severity=warning scripts/*.sh docker/*.sh
echo "valid"

step "scripts/compose.sh against a stub docker"
# The stub records what compose.sh asks of Docker: the services it scales must exist in docker-compose.yml.
stub="$scratch/stub"
mkdir -p "$stub"
# shellcheck disable=SC2016  # expanded by the stub, not here
printf '#!/bin/sh\necho "docker $*" >> "$STUB_LOG"\n' > "$stub/docker"
chmod +x "$stub/docker"
export STUB_LOG="$scratch/docker.log"
for kind in producer group-a group-b group-c; do
  PATH="$stub:$PATH" scripts/compose.sh scale "$kind" 2 > /dev/null
done
PATH="$stub:$PATH" scripts/compose.sh down > /dev/null
services=$(docker-compose -f docker-compose.yml --profile extra config --services)
scaled=$(sed -n 's/.* up -d --no-recreate --scale \([^=]*\)=2 \1$/\1/p' "$STUB_LOG")
[ "$(wc -l <<< "$scaled")" -eq 4 ] || { echo "compose.sh scale did not run compose as expected:" >&2; cat "$STUB_LOG" >&2; exit 1; }
for service in $scaled; do
  grep -qx "$service" <<< "$services" || { echo "compose.sh scales '$service', which docker-compose.yml does not define" >&2; exit 1; }
done
grep -q '^docker compose --profile extra down' "$STUB_LOG" || { echo "compose.sh down did not run compose down" >&2; exit 1; }
echo "valid: $(tr '\n' ' ' <<< "$scaled")"

printf '\ndeployment files: all checks passed\n'
