#!/usr/bin/env bash
# The end-to-end benchmark (bench/README.md, "End to end"): builds Release, starts a redis-server
# and imports 1,000,000 synthetic customers, then for each scenario starts routerd on a generated
# center and runs routerload against it, with the echo baseline (routerecho) in the same run:
#   (a) 1,000 agents, saturating closed loop;
#   (b) 15,000 agents with 100,000+ interactions waiting (closed loop of 115,000 live);
#   (c) 50% of (a)'s rate, open loop, for latency.
# Writes bench/results/routerload-*.json and bench/results.md. Takes ~15 minutes.
# Usage: bench/routerload.sh [--quick]    (--quick: 100k customers, shorter runs; for a try)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD:-build-release}
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1

CUSTOMERS=1000000
DURATION=20
DURATION_B=30
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

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

step "(a) 1,000 agents, saturating"
"$BIN/routerload/routerload" center --agents 1000 --queues 20 --listen "127.0.0.1:$ROUTERD_PORT" \
  --redis "127.0.0.1:$REDIS_PORT" --out "$WORK/center-1k.yaml"
start_routerd "$WORK/center-1k.yaml"
"${LOAD[@]}" --config "$WORK/center-1k.yaml" --concurrency 2000 --duration "$DURATION" --warmup 2 \
  --json bench/results/routerload-a.json | tee "$WORK/a.txt" || true
stop_routerd

step "(b) 15,000 agents, 100,000+ waiting"
"$BIN/routerload/routerload" center --agents 15000 --queues 50 --listen "127.0.0.1:$ROUTERD_PORT" \
  --redis "127.0.0.1:$REDIS_PORT" --out "$WORK/center-15k.yaml"
start_routerd "$WORK/center-15k.yaml"
# The agents log in NOT_READY while the closed loop submits its 115,000 (the warm-up lasts until
# they all wait), then go READY and work through the backlog, which the loop keeps at ~115,000
# live (100,000+ waiting) while 30 s are measured.
"${LOAD[@]}" --config "$WORK/center-15k.yaml" --concurrency 115000 --max-inflight 4000 \
  --ready-after-warmup --duration "$DURATION_B" --warmup 5 --drain-s 5 --login-timeout-s 120 \
  --json bench/results/routerload-b.json | tee "$WORK/b.txt" || true
stop_routerd

RATE=$(python3 -c 'import json,sys; print(max(1, round(json.load(open(sys.argv[1]))["lifecycles_per_s"] / 2)))' \
  bench/results/routerload-a.json)
step "(c) 50% of (a)'s rate: $RATE arrivals/s, open loop"
start_routerd "$WORK/center-1k.yaml"
"${LOAD[@]}" --config "$WORK/center-1k.yaml" --rate "$RATE" --duration "$DURATION" --warmup 2 \
  --json bench/results/routerload-c.json | tee "$WORK/c.txt" || true
stop_routerd

step "bench/results.md"
python3 bench/routerload_results.py --customers "$CUSTOMERS" --rate-c "$RATE" \
  --redis-version "$(redis-server --version)" \
  bench/results/routerload-a.json bench/results/routerload-b.json bench/results/routerload-c.json \
  >bench/results.md
cat bench/results.md
