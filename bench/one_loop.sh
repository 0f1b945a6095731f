#!/usr/bin/env bash
# Before/after figures of issue 15's one loop and group commit (bench/README.md, "One loop and
# group commit"): one short scenario-(a)-like run (1,000 agents, closed loop of 2,000, 8 s
# measured, with the echo baseline first) per routerd binary, reporting routerd's CPU per
# lifecycle, its context switches per lifecycle (every thread) and Redis's network reads per
# lifecycle (INFO total_reads_processed: fewer reads for as many commands = bigger pipelines).
# Usage: bench/one_loop.sh ROUTERD [ROUTERD...]   (BUILD=build by default for the other tools)
# The first run prepares $DATA (100,000 customers imported into a Redis dump, ~40 s).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/${BUILD:-build}/tools
DATA=${DATA:-/tmp/one-loop-data}
. bench/lib.sh  # free_port, wait_port (the working directory is the repository)
wait_redis() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && break; sleep 0.1; done
  until redis-cli -p "$1" info persistence | grep -q '^loading:0'; do sleep 0.1; done; }

if [[ ! -f "$DATA/dump.rdb" ]]; then
  mkdir -p "$DATA"
  "$BIN/customergen/customergen" --count 100000 --out "$DATA/customers.jsonl"
  P=$(free_port)
  redis-server --port "$P" --bind 127.0.0.1 --dir "$DATA" --save '' --appendonly no \
    >"$DATA/redis.log" 2>&1 &
  wait_redis "$P"
  "$BIN/routerctl/routerctl" customers import "$DATA/customers.jsonl" --redis "127.0.0.1:$P" >/dev/null
  redis-cli -p "$P" save >/dev/null
  redis-cli -p "$P" shutdown nosave >/dev/null || true
fi

for ROUTERD in "$@"; do
  W=$(mktemp -d /tmp/one-loop.XXXXXX)
  RP=$(free_port); DP=$(free_port)
  cp "$DATA/dump.rdb" "$W/dump.rdb"
  redis-server --port "$RP" --bind 127.0.0.1 --dir "$W" --save '' --appendonly no \
    >"$W/redis.log" 2>&1 &
  REDIS=$!
  wait_redis "$RP"
  redis-cli -p "$RP" config set appendonly yes >/dev/null  # AOF everysec, as routerload.sh
  "$BIN/routerload/routerload" center --agents 1000 --queues 20 --listen "127.0.0.1:$DP" \
    --redis "127.0.0.1:$RP" --out "$W/center.yaml" >/dev/null
  # routerload center leaves the per-connection stream limit at its default (100); the load
  # puts 250 agents' streams on each connection.
  sed -i 's/"stream_buffer":65536}/"stream_buffer":65536,"server_limits":{"max_streams_per_connection":5000,"max_concurrent_streams":6000,"max_streams_per_token":5000,"max_streams_total":20000}}/' \
    "$W/center.yaml"
  "$ROUTERD" -c "$W/center.yaml" >"$W/routerd.log" 2>&1 &
  RD=$!
  for _ in $(seq 300); do
    python3 -c "import socket;socket.create_connection(('127.0.0.1',$DP),timeout=0.2).close()" \
      2>/dev/null && break
    sleep 0.1
  done
  cpu() { awk '{print $14+$15}' "/proc/$RD/stat"; }
  cs() { cat /proc/$RD/task/*/status | awk '/^voluntary_ctxt/{v+=$2} /^nonvoluntary_ctxt/{n+=$2} END{print v, n}'; }
  reads() { redis-cli -p "$RP" info stats | awk -F: '/total_reads_processed/{print $2}' | tr -d '\r'; }
  C0=$(cpu); read -r V0 N0 < <(cs); R0=$(reads)
  "$BIN/routerload/routerload" run --target "127.0.0.1:$DP" --config "$W/center.yaml" \
    --customers "$DATA/customers.jsonl" --customer-limit 200000 --with-echo \
    --echo-path "$BIN/routerload/routerecho" --concurrency 2000 --duration 8 --warmup 2 --quiet \
    --json "$W/report.json" >"$W/load.txt" 2>&1 || true
  C1=$(cpu); read -r V1 N1 < <(cs); R1=$(reads)
  kill "$RD"; wait "$RD" || true
  kill "$REDIS"; wait "$REDIS" || true
  python3 - "$W/report.json" "$ROUTERD" $((C1 - C0)) $((V1 - V0)) $((N1 - N0)) $((R1 - R0)) <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
ticks, vol, nonvol, reads = map(int, sys.argv[3:7])
n = r["counts"]["completed_total"]  # warm-up and drain included, as the CPU figure is
s2o = r["latency_ms"]["submit_to_offer"]
print(f"{sys.argv[2]}: routerd {r['lifecycles_per_s']:.0f}/s, echo {r['baseline']['lifecycles_per_s']:.0f}/s"
      f" ({r['lifecycles_per_s'] / r['baseline']['lifecycles_per_s']:.2f}x); per lifecycle: "
      f"CPU {ticks * 1e6 / os.sysconf('SC_CLK_TCK') / n:.0f} us, voluntary switches {vol / n:.2f}, "
      f"involuntary {nonvol / n:.2f}, Redis reads {reads / n:.3f}; submit->offer p50 "
      f"{s2o['p50']:.0f} ms p99 {s2o['p99']:.0f} ms ({n} lifecycles)")
PY
  rm -rf "$W"
done
