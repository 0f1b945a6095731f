#!/usr/bin/env bash
# A warm standby against a cold one (docs/availability.md, "A warm standby"), in the same run,
# alternating, each on a flushed Redis (no persistence) with an active/standby pair of this
# tree's routerd (lease ttl 1000 ms, renew 250 ms):
# 1. Takeover with a large live set: routerload builds $LIVE waiting interactions (agents kept
#    NOT_READY), then the active is killed (-9); the standby's `took_ms` (from the lease acquired
#    to serving, logged at event=takeover) is the journal's part of the takeover.
# 2. What the feed costs the active: routerload's saturated closed loop (2,000 lifecycles in
#    flight, 1,000 agents) for $DURATION s after a 2 s warm-up, with the standby following.
# Usage: bench/warm_standby.sh   (BUILD=build-release, LIVE=100000, DURATION=6, ROUNDS=2;
#                                 KEEP=1 keeps the logs; ~4 min when built)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/${BUILD:-build-release}/tools
LIVE=${LIVE:-100000}
DURATION=${DURATION:-6}
ROUNDS=${ROUNDS:-2}
for b in "$BIN/routerd/routerd" "$BIN/routerload/routerload"; do
  [[ -x "$b" ]] || { echo "missing $b (build it first)" >&2; exit 2; }
done

W=$(mktemp -d /tmp/warm-standby.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n ${KEEP:-} ]]; then echo "logs kept in $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT

. bench/lib.sh  # free_port, wait_port (the working directory is the repository)
wait_log() {  # FILE PATTERN [tries of 0.1 s]
  for _ in $(seq "${3:-600}"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "no '$2' in $1" >&2; tail -20 "$1" >&2; return 1; }

REDIS=$(free_port); PORT_A=$(free_port); PORT_B=$(free_port)
redis-server --port "$REDIS" --bind 127.0.0.1 --dir "$W" --save '' --appendonly no \
  >"$W/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$REDIS"
"$BIN/routerload/routerload" center --agents 1000 --queues 20 --listen "127.0.0.1:$PORT_A" \
  --redis "127.0.0.1:$REDIS" --out "$W/center.yaml" >/dev/null
for mode in warm cold; do
  cold=false; [[ $mode == cold ]] && cold=true
  sed "s|^redis: {\"address\":\"127.0.0.1:$REDIS\"}|redis: {\"address\":\"127.0.0.1:$REDIS\",\"lease\":{\"ttl_ms\":1000,\"renew_ms\":250,\"cold_standby\":$cold}}|" \
    "$W/center.yaml" >"$W/$mode.yaml"
  grep -q cold_standby "$W/$mode.yaml" || { echo "no lease in $W/$mode.yaml" >&2; exit 2; }
done

# Starts the pair on a flushed Redis: a (active), then b (standby, warm when it follows).
start_pair() {  # MODE
  redis-cli -p "$REDIS" flushall >/dev/null
  "$BIN/routerd/routerd" -c "$W/$1.yaml" --listen "127.0.0.1:$PORT_A" --instance a \
    --log-level info >"$W/a.log" 2>&1 &
  A=$!; PIDS+=("$A")
  wait_log "$W/a.log" "event=takeover instance=a"
  "$BIN/routerd/routerd" -c "$W/$1.yaml" --listen "127.0.0.1:$PORT_B" --instance b \
    --log-level info >"$W/b.log" 2>&1 &
  B=$!; PIDS+=("$B")
  wait_log "$W/b.log" "event=standby instance=b"
}
stop_pair() { kill -9 "$A" "$B" 2>/dev/null || true; wait "$A" "$B" 2>/dev/null || true; }

: >"$W/takeovers.txt"
for round in $(seq "$ROUNDS"); do
  for mode in ${MODES:-warm cold}; do
    # 1. Takeover with $LIVE waiting.
    start_pair "$mode"
    "$BIN/routerload/routerload" run --target "127.0.0.1:$PORT_A" --config "$W/$mode.yaml" \
      --concurrency "$LIVE" --ready-after-warmup --warmup 600 --max-inflight 2000 --quiet \
      --drain-s 0 >"$W/fill.txt" 2>&1 &
    L=$!; PIDS+=("$L")
    for _ in $(seq 1200); do
      live=$(redis-cli -p "$REDIS" zcard router:live)
      ((live >= LIVE * 99 / 100)) && break
      sleep 0.25
    done
    sleep 1  # the standby reads the last of the feed
    kill -9 "$A"
    wait_log "$W/b.log" "event=takeover instance=b"
    line=$(grep -m1 "event=takeover instance=b" "$W/b.log")
    sleep 3  # a new active that lost its lease during its own recovery shows it by now
    lost=$(cat "$W/a.log" "$W/b.log" | grep -c "event=lease_lost\|event=deposed" || true)
    echo "round $round $mode live=$live lost_after=$lost $line" | tee -a "$W/takeovers.txt" >&2
    kill -9 "$L" 2>/dev/null || true; wait "$L" 2>/dev/null || true
    stop_pair
    [[ -n ${KEEP:-} ]] && cp "$W/a.log" "$W/fill-a-$mode-$round.log" && cp "$W/b.log" "$W/fill-b-$mode-$round.log"

    # 2. Saturated throughput with the standby following.
    start_pair "$mode"
    "$BIN/routerload/routerload" run --target "127.0.0.1:$PORT_A" --config "$W/$mode.yaml" \
      --concurrency 2000 --duration "$DURATION" --warmup 2 --quiet \
      --json "$W/closed-$mode-$round.json" >"$W/load.txt" 2>&1 ||
      { cat "$W/load.txt" >&2; exit 2; }
    stop_pair
    echo "round $round: $mode done" >&2
  done
done

python3 - "$W" "$ROUNDS" <<'SUMMARY'
import json, re, sys
w, rounds = sys.argv[1], int(sys.argv[2])
print(f"{'':<14} {'live':>8} {'takeover took_ms':>17} {'changes':>9}   {'saturated lifecycles/s':>22}")
took = {}
for line in open(f"{w}/takeovers.txt"):
    r, mode = re.search(r"round (\d+) (\w+)", line).groups()
    took[(int(r), mode)] = (re.search(r"live=(\d+)", line).group(1),
                            re.search(r"took_ms=(\d+)", line).group(1),
                            re.search(r"changes=(\d+)", line).group(1))
for r in range(1, rounds + 1):
    for mode in ("warm", "cold"):
        live, ms, changes = took[(r, mode)]
        c = json.load(open(f"{w}/closed-{mode}-{r}.json"))
        print(f"round {r} {mode:<6} {live:>8} {ms:>17} {changes:>9}   {c['lifecycles_per_s']:>22.0f}")
    ratio = (json.load(open(f"{w}/closed-warm-{r}.json"))["lifecycles_per_s"] /
             json.load(open(f"{w}/closed-cold-{r}.json"))["lifecycles_per_s"])
    print(f"round {r}: warm (feed written) {ratio:.2f}x the cold pair's saturated throughput")
SUMMARY
