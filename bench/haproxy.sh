#!/usr/bin/env bash
# What HAProxy in front costs (docs/availability.md, issue 16's target: ≥ 0.8× direct): the same
# routerload scenario against one routerd directly and through HAProxy 2.6 (the shape of
# tools/haproxy/routerd.cfg: h2 in front and behind, httpchk GET /ready every 200 ms), interleaved
# (direct, haproxy, direct, haproxy, ...) on the same routerd so that a busy machine hurts both
# alike. No Redis (customers anonymous, no journal): the transport's share is largest there.
# Prints a Markdown table (mean over rounds) and the ratio to direct; JSON per run in $WORK.
# Usage: bench/haproxy.sh   (env: BUILD=build-release ROUNDS=3 DURATION=10 AGENTS=200
#        CONCURRENCY=400 API=unary|stream). Uses the binaries already built in $BUILD.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-release}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
AGENTS=${AGENTS:-200}
CONCURRENCY=${CONCURRENCY:-400}
API=${API:-unary}
ROUTERD=$BUILD/tools/routerd/routerd
ROUTERLOAD=$BUILD/tools/routerload/routerload
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
for b in "$ROUTERD" "$ROUTERLOAD" "$HAPROXY"; do
  [[ -x $b ]] || { echo "missing $b (build it first; haproxy: tools/dev.sh deps)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/haproxy-bench.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  true
}
trap cleanup EXIT

. bench/lib.sh  # free_port, wait_port (the working directory is the repository)
PORT=$(free_port)
READY=$(free_port)
FRONT=$(free_port)
"$ROUTERLOAD" center --agents "$AGENTS" --queues 4 --listen "127.0.0.1:$PORT" --out "$WORK/center.yaml"
# The generated file's daemon section is one flow mapping; the readiness listener goes into it.
sed -i "s|^daemon: {|daemon: {\"ready_listen\": \"127.0.0.1:$READY\", |" "$WORK/center.yaml"
cat >"$WORK/haproxy.cfg" <<CFG
global
  maxconn 4096
  tune.h2.max-concurrent-streams 1000
defaults
  mode http
  timeout connect 1s
  timeout check 500ms
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
frontend grpc
  bind 127.0.0.1:$FRONT proto h2
  default_backend routerd
backend routerd
  option httpchk GET /ready
  http-check expect status 200
  default-server inter 200ms fastinter 200ms downinter 200ms fall 1 rise 1
  server a 127.0.0.1:$PORT proto h2 check port $READY check-proto h1
CFG
"$HAPROXY" -c -f "$WORK/haproxy.cfg" >/dev/null

"$ROUTERD" -c "$WORK/center.yaml" --log-level warn >"$WORK/routerd.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT" || { echo "routerd did not start" >&2; cat "$WORK/routerd.log" >&2; exit 2; }
"$HAPROXY" -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
wait_port "$FRONT" || { echo "haproxy did not start" >&2; cat "$WORK/haproxy.log" >&2; exit 2; }
sleep 1  # HAProxy's first check passes

declare -A TARGET=([direct]="127.0.0.1:$PORT" [haproxy]="127.0.0.1:$FRONT")
for round in $(seq "$ROUNDS"); do
  for mode in direct haproxy; do
    cmd=("$ROUTERLOAD" run --config "$WORK/center.yaml" --target "${TARGET[$mode]}" --api "$API"
      --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup 2 --gateways 4 --quiet
      --json "$WORK/$mode-$round.json")
    [[ $round == 1 ]] && echo "${cmd[*]}" | sed "s|$WORK|\$WORK|g" >&2
    "${cmd[@]}" >/dev/null || echo "routerload $mode round $round: exit $?" >&2
  done
done

python3 - "$WORK" "$ROUNDS" <<'PY'
import json, sys, statistics as st
work, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for mode in ("direct", "haproxy"):
    runs = [json.load(open(f"{work}/{mode}-{r}.json")) for r in range(1, rounds + 1)]
    rows[mode] = {
        "lifecycles": st.mean(r["lifecycles_per_s"] for r in runs),
        "ack50": st.mean(r["latency_ms"]["submit_ack"]["p50"] for r in runs),
        "ack99": st.mean(r["latency_ms"]["submit_ack"]["p99"] for r in runs),
        "each": ", ".join(f'{r["lifecycles_per_s"]:,.0f}' for r in runs),
        "errors": sum(len(r["errors"]) for r in runs),
    }
base = rows["direct"]
print("| path | lifecycles/s (mean; each round) | × direct | submit ack p50 / p99 ms | errors |")
print("|---|---:|---:|---:|---:|")
for mode, r in rows.items():
    print(f'| {mode} | {r["lifecycles"]:,.0f} ({r["each"]}) | {r["lifecycles"] / base["lifecycles"]:.2f} | '
          f'{r["ack50"]:.2f} / {r["ack99"]:.2f} | {r["errors"]} |')
PY
echo "JSON per run: $WORK" >&2
