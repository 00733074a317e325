#!/usr/bin/env bash
# Our PromQL engine side by side with a real Prometheus on the same data.
#
# Exports a scenario window as OpenMetrics (`simulator export`), backfills it into a fresh
# Prometheus (`promtool tsdb create-blocks-from openmetrics`; Debian's prometheus 2.42 in
# /usr/bin), starts that Prometheus on 127.0.0.1 with a temporary data directory and a free
# port, and runs every query of bench/queries.txt against both engines, as an instant query
# near the window's end and as a range query over most of it (simulator/examples/vs_prometheus.rs).
# Prints per query our evaluation time (in-process, evaluation only), Prometheus'
# evalTotalTime (from stats=all), their ratio and the geometric mean of the ratios. Exits
# non-zero when any result disagrees (relative tolerance 1e-6, NaN equal to NaN).
#
# Settings (environment): SCENARIO (demo), SEED (the default seed), START and END (RFC 3339
# or Unix seconds; default the 6 hours before the scenario's default window, which hold none
# of its incidents), STEP (15s), RUNS (5), QUERIES (bench/queries.txt). The window must end
# more than 3 hours before now: Prometheus only backfills blocks that do not overlap its head.
#
# Why not the default window: restarts and scrape outages make series start inside a rate()
# window, where Prometheus 3's extrapolation (ours) and 2.42's legitimately differ; see
# simulator/examples/vs_prometheus.rs for this and the other version differences the
# evaluation times avoid.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

SCENARIO=${SCENARIO:-demo}
STEP=${STEP:-15s}
RUNS=${RUNS:-5}
QUERIES=${QUERIES:-bench/queries.txt}

find_bin() {
  if [ -x "/usr/bin/$1" ]; then echo "/usr/bin/$1"; else command -v "$1" || true; fi
}
prometheus=$(find_bin prometheus)
promtool=$(find_bin promtool)
if [ -z "$prometheus" ] || [ -z "$promtool" ]; then
  echo "error: prometheus and promtool are needed (apt-get install -y --no-install-recommends prometheus)" >&2
  exit 2
fi

cargo build --release --locked -q -p simulator --bin simulator --example vs_prometheus
simulator=target/release/simulator
measure=target/release/examples/vs_prometheus

# The window: the 6 hours before the scenario's default window unless START/END say otherwise.
default_start=$("$simulator" scenarios --json | jq -r --arg s "$SCENARIO" \
  '.[] | select(.name == $s) | .default_window.start')
if [ -z "$default_start" ]; then
  echo "error: unknown scenario $SCENARIO (see: $simulator scenarios)" >&2
  exit 2
fi
START=${START:-$(date -u -d "$default_start - 6 hours" +%Y-%m-%dT%H:%M:%SZ)}
END=${END:-$default_start}
end_seconds=$(date -d "$END" +%s 2>/dev/null || echo "$END")
if [ $((end_seconds + 3 * 3600)) -ge "$(date +%s)" ]; then
  echo "error: the window must end more than 3 hours before now (END=$END)" >&2
  exit 2
fi
seed_args=()
if [ -n "${SEED:-}" ]; then seed_args=(--seed "$SEED"); fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vs-prometheus.XXXXXX")
prometheus_pid=
cleanup() {
  if [ -n "$prometheus_pid" ]; then
    kill "$prometheus_pid" 2>/dev/null || true
    wait "$prometheus_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "exporting $SCENARIO from $START to $END ..."
"$simulator" export --scenario "$SCENARIO" "${seed_args[@]}" --start "$START" --end "$END" \
  --format openmetrics > "$work/data.om"
echo "backfilling $(grep -vc '^#' "$work/data.om") samples into Prometheus ..."
"$promtool" tsdb create-blocks-from openmetrics "$work/data.om" "$work/data" > "$work/promtool.log"
rm -f "$work/data.om"

# A free port: ask the kernel for one by binding port 0.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 19090)
cat > "$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1h
scrape_configs: []
EOF
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" \
  > "$work/prometheus.log" 2>&1 &
prometheus_pid=$!
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$port/-/ready" > /dev/null; then break; fi
  if ! kill -0 "$prometheus_pid" 2>/dev/null; then
    echo "error: Prometheus exited:" >&2
    cat "$work/prometheus.log" >&2
    exit 2
  fi
  sleep 0.5
done
echo "Prometheus $("$prometheus" --version 2>&1 | head -1 | awk '{print $3}') on 127.0.0.1:$port"
echo

"$measure" --scenario "$SCENARIO" "${seed_args[@]}" --start "$START" --end "$END" --step "$STEP" \
  --queries "$QUERIES" --prometheus "127.0.0.1:$port" --runs "$RUNS"
