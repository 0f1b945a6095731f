#!/usr/bin/env bash
# The cost of WAIT (docs/availability.md, "Redis under Sentinel"): routerd with
# redis.wait_replicas 0 and then 1 (wait_timeout_ms 500), in the same run, against one primary
# (AOF everysec, as bench/routerload.sh) and one replica on loopback; routerload with 1,000
# agents and anonymous customers, $DURATION s each after a 2 s warm-up: a saturating closed loop
# (2,000 lifecycles in flight) for throughput, and an open loop at $RATE submits/s for latency.
# Prints lifecycles/s and the submit acknowledgement's p50/p99 both ways. Each run has a fresh
# routerd on a flushed Redis.
# Usage: bench/redis_wait.sh   (BUILD=build-release, DURATION=6, RATE=200; ~80 s when built)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/${BUILD:-build-release}/tools
DURATION=${DURATION:-6}
RATE=${RATE:-200}
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

. bench/lib.sh  # free_port, wait_port (the working directory is the repository)

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
    --redis "127.0.0.1:$PRIMARY" --out "$W/center-$n.yaml" >/dev/null
  # routerload center writes the redis section as one flow mapping: add the WAIT fields to it.
  sed -i "s/^redis: {\(.*\)}$/redis: {\1,\"wait_replicas\":$n,\"wait_timeout_ms\":500}/" \
    "$W/center-$n.yaml"
  grep -q "\"wait_replicas\":$n" "$W/center-$n.yaml" || { echo "no redis section?" >&2; exit 2; }
  for mode in closed open; do
    load=(--concurrency 2000)
    [[ $mode == open ]] && load=(--rate "$RATE")
    redis-cli -p "$PRIMARY" flushall >/dev/null
    "$BIN/routerd/routerd" -c "$W/center-$n.yaml" --log-level warn >"$W/routerd.log" 2>&1 &
    RD=$!
    PIDS+=("$RD")
    wait_port "$ROUTERD" || { cat "$W/routerd.log" >&2; exit 2; }
    "$BIN/routerload/routerload" run --target "127.0.0.1:$ROUTERD" --config "$W/center-$n.yaml" \
      "${load[@]}" --duration "$DURATION" --warmup 2 --quiet --json "$W/$mode-$n.json" \
      >"$W/load.txt" 2>&1 || { cat "$W/load.txt" >&2; exit 2; }
    kill "$RD"; wait "$RD" || true
  done
done

python3 - "$W" "$RATE" <<'SUMMARY'
import json, sys
w, rate = sys.argv[1], sys.argv[2]
r = {(m, n): json.load(open(f"{w}/{m}-{n}.json")) for m in ("closed", "open") for n in (0, 1)}
def ack(m, n, p): return r[(m, n)]["latency_ms"]["submit_ack"][p]
def errors(m, n): return sum(e["count"] for e in r[(m, n)]["errors"])
print(f"{'':<16} {'closed loop':>12} {'open loop at ' + rate + '/s':>28}")
print(f"{'':<16} {'lifecycles/s':>12} {'ack p50 ms':>13} {'ack p99 ms':>13} {'errors':>7}")
for n in (0, 1):
    print(f"wait_replicas {n:<2} {r[('closed', n)]['lifecycles_per_s']:>12.0f}"
          f" {ack('open', n, 'p50'):>13.2f} {ack('open', n, 'p99'):>13.2f}"
          f" {errors('closed', n) + errors('open', n):>7}")
ratio = r[("closed", 1)]["lifecycles_per_s"] / r[("closed", 0)]["lifecycles_per_s"]
print(f"WAIT 1: {ratio:.2f}x the saturated throughput; submit ack at {rate}/s: p50 "
      f"{ack('open', 1, 'p50'):.2f} vs {ack('open', 0, 'p50'):.2f} ms, p99 "
      f"{ack('open', 1, 'p99'):.2f} vs {ack('open', 0, 'p99'):.2f} ms")
SUMMARY
