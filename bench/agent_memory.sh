#!/usr/bin/env bash
# What connected, idle agents cost: RSS per connected agent and idle CPU (heartbeats only) at
# 1,000 / 5,000 / 15,000 agents, for routerd (on a minimal center of 15,000 agents, no Redis) and for routerecho (the bare-gRPC baseline), one after the other. Runs
# bench/agent_memory.cc against each; figures in bench/README.md ("Many agents (issue 15)").
#
#   bench/agent_memory.sh [--api unary|session|link] [--only routerd|routerecho]
#   BUILD=build-release STEPS=1000,5000,15000 IDLE_S=10 SETTLE_S=3 bench/agent_memory.sh
#
# --api: how each agent connects (agent_memory --api): `unary` (Login + one StreamWork per agent),
# `session` (one AgentSession per agent), `link` (16 AgentLink streams for all the agents).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-release}
[[ "$BUILD" = /* ]] || BUILD=$ROOT/$BUILD
STEPS=${STEPS:-1000,5000,15000}
API=unary
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --api) API=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "usage: $0 [--api unary|session|link] [--only routerd|routerecho]" >&2; exit 2 ;;
  esac
done
MAX=${STEPS##*,}
for b in tools/routerd/routerd tools/routerload/routerload tools/routerload/routerecho \
  bench/agent_memory; do
  [ -x "$BUILD/$b" ] || { echo "missing $BUILD/$b (cmake --build $BUILD --target ${b##*/})" >&2; exit 2; }
done
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; [ -n "$PID" ] && wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
. "$ROOT/bench/lib.sh"  # free_port, wait_port
run() {  # label, then agent_memory's extra flags
  local label=$1; shift
  echo "== $label (api $API, $STEPS agents)"
  "$BUILD/bench/agent_memory" --address "127.0.0.1:$PORT" --pid "$PID" --api "$API" \
    --steps "$STEPS" --idle-s "${IDLE_S:-10}" --settle-s "${SETTLE_S:-3}" "$@"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

if [ -z "$ONLY" ] || [ "$ONLY" = routerd ]; then
  PORT=$(free_port)
  # A minimal center (one skill, no tokens: auth.dev_no_auth, loopback only), so that routerd
  # holds little but the agents; the stream limits admit every agent.
  python3 - "$MAX" "$PORT" >"$WORK/center.yaml" <<'PY'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
print(f"""skills: [s]
queues:
  - {{name: q, channels: [PHONE], skills: [{{skill: s, min_level: 1}}]}}
entry_points:
  - {{channel: PHONE, address: "+18005550100", queue: q}}
auth: {{dev_no_auth: true}}
daemon:
  listen: "127.0.0.1:{port}"
  default_region: US
  server_limits: {{max_concurrent_streams: 1100, max_streams_per_connection: 1000,
                  max_streams_per_token: {n}, max_streams_total: {n}}}
agents:""")
for i in range(n):
    print(f"  - {{name: ag{i + 1:05d}, skills: [{{skill: s, level: 5}}]}}")
PY
  "$BUILD/tools/routerd/routerd" -c "$WORK/center.yaml" --log-level warn >"$WORK/routerd.log" 2>&1 &
  PID=$!
  wait_port "$PORT" || { cat "$WORK/routerd.log" >&2; exit 2; }
  run routerd --no-auth
fi
if [ -z "$ONLY" ] || [ "$ONLY" = routerecho ]; then
  PORT=$(free_port)
  "$BUILD/tools/routerload/routerecho" --listen "127.0.0.1:$PORT" >"$WORK/echo.log" 2>&1 &
  PID=$!
  wait_port "$PORT" || { cat "$WORK/echo.log" >&2; exit 2; }
  run routerecho --no-auth
fi
