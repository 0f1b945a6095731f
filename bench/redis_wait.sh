#!/usr/bin/env bash
# The cost of WAIT (docs/availability.md, "Redis under Sentinel"): routerd with
# redis.wait_replicas 0 and then 1 (wait_timeout_ms 500), in the same run, against one primary
# (AOF everysec, as bench/routerload.sh) and one replica on loopback; routerload's saturating
# closed loop (1,000 agents, 2,000 lifecycles in flight, anonymous customers) for $DURATION s
# each after a 2 s warm-up. Prints lifecycles/s and the submit acknowledgement's p50/p99 both
# ways, and the ratios. Redis is flushed between the runs (the second routerd recovers nothing).
# Usage: bench/redis_wait.sh      (BUILD=build-release, DURATION=6; ~40 s with a built tree)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/${BUILD:-build-release}/tools
DURATION=${DURATION:-6}
for b in routerd/routerd routerload/routerload; do
  [[ -x "$BIN/$b" ]] || { echo "missing $BIN/$b (build it first)" >&2; exit 2; }
done

W=$(mktemp -d /tmp/redis-wait.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do
  python3 -c "import socket;socket.create_connection(('127.0.0.1',$1),timeout=0.2).close()" \
    2>/dev/null && return 0; sleep 0.1; done; return 1; }

PRIMARY=$(free_port); REPLICA=$(free_port); ROUTERD=$(free_port)
mkdir -p "$W/primary" "$W/replica"
redis-server --port "$PRIMARY" --bind 127.0.0.1 --dir "$W/primary" --save '' --appendonly yes \
  --appendfsync everysec >"$W/primary.log" 2>&1 &
PIDS+=($!)
redis-server --port "$REPLICA" --bind 127.0.0.1 --dir "$W/replica" --save '' --appendonly yes \
  --appendfsync everysec --replicaof 127.0.0.1 "$PRIMARY" >"$W/replica.log" 2>&1 &
PIDS+=($!)
wait_port "$PRIMARY"; wait_port "$REPLICA"
for _ in $(seq 100); do  # the replica has synced once a write reaches it
  redis-cli -p "$PRIMARY" set bench:sync 1 >/dev/null
  [[ "$(redis-cli -p "$PRIMARY" wait 1 200)" -ge 1 ]] && break
  sleep 0.1
done

echo "redis primary 127.0.0.1:$PRIMARY, replica 127.0.0.1:$REPLICA ($(redis-server --version | cut -d' ' -f3))"
for n in 0 1; do
  "$BIN/routerload/routerload" center --agents 1000 --queues 20 --listen "127.0.0.1:$ROUTERD" \
    --redis "127.0.0.1:$PRIMARY" --out "$W/center-$n.json" >/dev/null
  python3 - "$W/center-$n.json" "$n" <<'EOF'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
c = json.load(open(path))
c["redis"]["wait_replicas"] = n
c["redis"]["wait_timeout_ms"] = 500
json.dump(c, open(path, "w"))
EOF
  redis-cli -p "$PRIMARY" flushall >/dev/null
  "$BIN/routerd/routerd" -c "$W/center-$n.json" --log-level warn >"$W/routerd-$n.log" 2>&1 &
  RD=$!
  PIDS+=("$RD")
  wait_port "$ROUTERD" || { cat "$W/routerd-$n.log" >&2; exit 2; }
  "$BIN/routerload/routerload" run --target "127.0.0.1:$ROUTERD" --config "$W/center-$n.json" \
    --concurrency 2000 --duration "$DURATION" --warmup 2 --server-pid "$RD" --quiet \
    --json "$W/wait-$n.json" >"$W/load-$n.txt" 2>&1 || { cat "$W/load-$n.txt" >&2; exit 2; }
  kill "$RD"; wait "$RD" || true
done

python3 - "$W/wait-0.json" "$W/wait-1.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def row(name, r):
    s = r["latency_ms"]["submit_ack"]
    errors = sum(e["count"] for e in r["errors"])
    print(f"{name:<16} {r['lifecycles_per_s']:>12.0f} {s['p50']:>9.2f} {s['p99']:>9.2f} {errors:>7}")
print(f"{'':<16} {'lifecycles/s':>12} {'ack p50':>9} {'ack p99':>9} {'errors':>7}   (ms)")
row("wait_replicas 0", a)
row("wait_replicas 1", b)
ratio = b["lifecycles_per_s"] / a["lifecycles_per_s"]
p99 = b["latency_ms"]["submit_ack"]["p99"] / max(a["latency_ms"]["submit_ack"]["p99"], 1e-9)
print(f"WAIT 1: {ratio:.2f}x the throughput, {p99:.2f}x the submit ack p99")
EOF
