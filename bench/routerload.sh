#!/usr/bin/env bash
# The end-to-end benchmark (bench/README.md, "End to end"): builds Release, starts a redis-server
# and imports 1,000,000 synthetic customers, then for each scenario and each API (unary RPCs, and
# the session streams: routerload --api unary|stream) starts routerd afresh on a generated center
# and runs routerload against it, with the echo baseline (routerecho, same API) in the same run:
#   (a) 1,000 agents, saturating closed loop;
#   (b) 15,000 agents with 100,000+ interactions waiting (closed loop of 115,000 live); over the
#       streams also with the agents on $LINKS_B AgentLink streams (--agent-link);
#   (c) 50% of (a)'s rate (each API's own), open loop, for latency.
# routerload reads routerd's CPU time and RSS from /proc (--server-pid): CPU µs per lifecycle and
# RSS per connected agent are in the reports and the table.
# Writes bench/results/routerload-<scenario>-<api>.json and bench/results.md. Takes ~40 minutes.
# Usage: bench/routerload.sh [--quick]    (--quick: 100k customers, shorter runs; for a try)
#   ONLY="b-stream c-unary" bench/routerload.sh: only those runs (scenario-api; (c) needs the (a)
#   reports of an earlier run); results.md is written from every report in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build-release}
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1

CUSTOMERS=1000000
DURATION=20
DURATION_B=30
LINKS_B=16
if ((QUICK)); then
  CUSTOMERS=100000
  DURATION=8
  DURATION_B=10
fi

step() { printf '\n== %s\n' "$*" >&2; }

step "build (Release)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target routerd routerload routerecho routerctl customergen \
  2>&1 | grep -E 'error|warning|Linking' >&2 || true
BIN="$ROOT/$BUILD/tools"
for b in routerd/routerd routerload/routerload routerload/routerecho routerctl/routerctl \
  customergen/customergen; do
  [[ -x "$BIN/$b" ]] || { echo "missing $BIN/$b" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/routerload-bench.XXXXXX)
REDIS_PID=""
ROUTERD_PID=""
cleanup() {
  [[ -n "$ROUTERD_PID" ]] && kill "$ROUTERD_PID" 2>/dev/null && wait "$ROUTERD_PID" 2>/dev/null
  [[ -n "$REDIS_PID" ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

. bench/lib.sh  # free_port, wait_port (the working directory is the repository)

REDIS_PORT=$(free_port)
step "redis-server on 127.0.0.1:$REDIS_PORT (AOF everysec, in $WORK/redis)"
mkdir -p "$WORK/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --save '' \
  --appendonly yes --appendfsync everysec >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

step "$CUSTOMERS customers: generate and import"
"$BIN/customergen/customergen" --count "$CUSTOMERS" --out "$WORK/customers.jsonl"
"$BIN/routerctl/routerctl" customers import "$WORK/customers.jsonl" --redis "127.0.0.1:$REDIS_PORT"

start_routerd() {  # config
  "$BIN/routerd/routerd" -c "$1" >"$WORK/routerd.log" 2>&1 &  # default log level (info)
  ROUTERD_PID=$!
  for _ in $(seq 300); do
    if python3 - "$ROUTERD_PORT" <<'EOF' 2>/dev/null; then return 0; fi
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()
EOF
    sleep 0.1
  done
  echo "routerd did not start:" >&2; cat "$WORK/routerd.log" >&2; exit 2
}
stop_routerd() {
  kill "$ROUTERD_PID"; wait "$ROUTERD_PID" || true; ROUTERD_PID=""
}

ROUTERD_PORT=$(free_port)
LOAD=("$BIN/routerload/routerload" run --target "127.0.0.1:$ROUTERD_PORT"
  --customers "$WORK/customers.jsonl" --customer-limit 200000 --with-echo
  --echo-path "$BIN/routerload/routerecho")
mkdir -p bench/results

# run_scenario NAME API CONFIG ROUTERLOAD-ARGS...: routerd afresh on CONFIG, routerload with the
# echo baseline first, both over API ("unary", "stream" or "link": the stream API with
# --agent-link $LINKS_B), the report in bench/results/routerload-NAME-API.json.
run_scenario() {
  local name=$1 api=$2 config=$3
  shift 3
  if [[ -n "${ONLY:-}" && " $ONLY " != *" $name-$api "* ]]; then return; fi
  local api_args=(--api "$api")
  [[ "$api" == link ]] && api_args=(--api stream --agent-link "$LINKS_B")
  step "($name) over the $api API"
  # Every run starts from an empty journal: what an earlier run left waiting (cancels that did not
  # finish) would otherwise be recovered into this one. The customers stay.
  redis-cli -p "$REDIS_PORT" --scan --pattern 'router:ix:*' | xargs -r -n 1000 redis-cli -p "$REDIS_PORT" del >/dev/null
  redis-cli -p "$REDIS_PORT" del router:live router:seq router:history >/dev/null
  start_routerd "$config"
  "${LOAD[@]}" --config "$config" "${api_args[@]}" --server-pid "$ROUTERD_PID" "$@" \
    --json "bench/results/routerload-$name-$api.json" | tee "$WORK/$name-$api.txt" || true
  stop_routerd
}

step "(a) 1,000 agents, saturating"
"$BIN/routerload/routerload" center --agents 1000 --queues 20 --listen "127.0.0.1:$ROUTERD_PORT" \
  --redis "127.0.0.1:$REDIS_PORT" --out "$WORK/center-1k.yaml"
for api in unary stream; do
  run_scenario a "$api" "$WORK/center-1k.yaml" --concurrency 2000 --duration "$DURATION" --warmup 2
done

step "(b) 15,000 agents, 100,000+ waiting"
"$BIN/routerload/routerload" center --agents 15000 --queues 50 --listen "127.0.0.1:$ROUTERD_PORT" \
  --redis "127.0.0.1:$REDIS_PORT" --out "$WORK/center-15k.yaml"
# The same center with $LINKS_B AGENT_LINK tokens (each listing its agents) instead of an AGENT
# token per agent (a smaller file: ~3 MB instead of ~4.3 MB).
"$BIN/routerload/routerload" center --agents 15000 --queues 50 --links "$LINKS_B" \
  --no-agent-tokens --listen "127.0.0.1:$ROUTERD_PORT" --redis "127.0.0.1:$REDIS_PORT" \
  --out "$WORK/center-15k-link.yaml"
# The agents log in NOT_READY while the closed loop submits its 115,000 (the warm-up lasts until
# they all wait), then go READY and work through the backlog, which the loop keeps at ~115,000
# live (100,000+ waiting) while 30 s are measured.
for api in unary stream link; do
  config="$WORK/center-15k.yaml"
  [[ "$api" == link ]] && config="$WORK/center-15k-link.yaml"
  run_scenario b "$api" "$config" --concurrency 115000 --max-inflight 4000 \
    --ready-after-warmup --duration "$DURATION_B" --warmup 5 --drain-s 5 --login-timeout-s 120
done

rate_of() {  # half of a report's lifecycles/s
  python3 -c 'import json,sys; print(max(1, round(json.load(open(sys.argv[1]))["lifecycles_per_s"] / 2)))' "$1"
}
RATE_UNARY=$(rate_of bench/results/routerload-a-unary.json)
RATE_STREAM=$(rate_of bench/results/routerload-a-stream.json)
step "(c) 50% of (a)'s rate, open loop: $RATE_UNARY/s unary, $RATE_STREAM/s stream"
run_scenario c unary "$WORK/center-1k.yaml" --rate "$RATE_UNARY" --duration "$DURATION" --warmup 2
run_scenario c stream "$WORK/center-1k.yaml" --rate "$RATE_STREAM" --duration "$DURATION" \
  --warmup 2

step "bench/results.md"
python3 bench/routerload_results.py --customers "$CUSTOMERS" --rate-c-unary "$RATE_UNARY" \
  --rate-c-stream "$RATE_STREAM" --links-b "$LINKS_B" --redis-version "$(redis-server --version)" \
  bench/results/routerload-{a-unary,a-stream,b-unary,b-stream,b-link,c-unary,c-stream}.json \
  >bench/results.md
cat bench/results.md
