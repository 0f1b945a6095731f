#!/usr/bin/env bash
# The cost of answering state changes after the journal (docs/availability.md, "Answers after
# the journal"): this tree's routerd against a BASELINE routerd built without the barrier, in the
# same run, alternating (baseline, this, baseline, this), each a fresh routerd on a flushed Redis
# (AOF everysec, as bench/routerload.sh). routerload with 1,000 agents and anonymous customers,
# $DURATION s each after a 2 s warm-up: a saturating closed loop (2,000 lifecycles in flight) for
# throughput, and an open loop at $RATE submits/s for the accept and complete acknowledgements.
# Usage:
#   git worktree add /work/barrier-base 544be47 && cmake -S /work/barrier-base \
#     -B /work/barrier-base/build -DCMAKE_BUILD_TYPE=Release && cmake --build \
#     /work/barrier-base/build --target routerd -j2
#   BASELINE=/work/barrier-base/build/tools/routerd/routerd bench/answer_barrier.sh
#   (BUILD=build-release, DURATION=6, RATE=200, ROUNDS=2; ~2 min when built)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/${BUILD:-build-release}/tools
DURATION=${DURATION:-6}
RATE=${RATE:-200}
ROUNDS=${ROUNDS:-2}
BASELINE=${BASELINE:?set BASELINE to a routerd built without the barrier (see the header)}
for b in "$BIN/routerd/routerd" "$BIN/routerload/routerload" "$BASELINE"; do
  [[ -x "$b" ]] || { echo "missing $b (build it first)" >&2; exit 2; }
done

W=$(mktemp -d /tmp/answer-barrier.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

. bench/lib.sh  # free_port, wait_port (the working directory is the repository)

REDIS=$(free_port); ROUTERD=$(free_port)
redis-server --port "$REDIS" --bind 127.0.0.1 --dir "$W" --save '' --appendonly yes \
  --appendfsync everysec >"$W/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$REDIS"
"$BIN/routerload/routerload" center --agents 1000 --queues 20 --listen "127.0.0.1:$ROUTERD" \
  --redis "127.0.0.1:$REDIS" --out "$W/center.yaml" >/dev/null

declare -A ROUTERDS=([baseline]="$BASELINE" [barrier]="$BIN/routerd/routerd")
for round in $(seq "$ROUNDS"); do
  for which in baseline barrier; do
    for mode in closed open; do
      load=(--concurrency 2000)
      [[ $mode == open ]] && load=(--rate "$RATE")
      redis-cli -p "$REDIS" flushall >/dev/null
      "${ROUTERDS[$which]}" -c "$W/center.yaml" --log-level warn >"$W/routerd.log" 2>&1 &
      RD=$!
      PIDS+=("$RD")
      wait_port "$ROUTERD" || { cat "$W/routerd.log" >&2; exit 2; }
      "$BIN/routerload/routerload" run --target "127.0.0.1:$ROUTERD" --config "$W/center.yaml" \
        "${load[@]}" --duration "$DURATION" --warmup 2 --quiet \
        --json "$W/$mode-$which-$round.json" >"$W/load.txt" 2>&1 ||
        { cat "$W/load.txt" >&2; exit 2; }
      kill "$RD"; wait "$RD" || true
      echo "round $round: $which $mode done" >&2
    done
  done
done

python3 - "$W" "$RATE" "$ROUNDS" <<'SUMMARY'
import json, sys
w, rate, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
def load(m, which, r): return json.load(open(f"{w}/{m}-{which}-{r}.json"))
def ack(j, key, p): return j["latency_ms"][key][p]
def errors(j): return sum(e["count"] for e in j["errors"])
print(f"{'':<20} {'closed loop':>12} {'open loop at ' + rate + '/s: ack ms':>48}")
print(f"{'':<20} {'lifecycles/s':>12} {'accept p50':>11} {'p99':>7} {'complete p50':>13} {'p99':>7}"
      f" {'submit p50':>11} {'errors':>7}")
for r in range(1, rounds + 1):
    for which in ("baseline", "barrier"):
        c, o = load("closed", which, r), load("open", which, r)
        print(f"round {r} {which:<12} {c['lifecycles_per_s']:>12.0f}"
              f" {ack(o, 'accept_ack', 'p50'):>11.2f} {ack(o, 'accept_ack', 'p99'):>7.2f}"
              f" {ack(o, 'complete_ack', 'p50'):>13.2f} {ack(o, 'complete_ack', 'p99'):>7.2f}"
              f" {ack(o, 'submit_ack', 'p50'):>11.2f} {errors(c) + errors(o):>7}")
    ratio = (load("closed", "barrier", r)["lifecycles_per_s"] /
             load("closed", "baseline", r)["lifecycles_per_s"])
    print(f"round {r}: barrier {ratio:.2f}x the baseline's saturated throughput")
SUMMARY
