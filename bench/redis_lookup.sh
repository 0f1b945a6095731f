#!/usr/bin/env bash
# Measures the Redis customer-lookup path against redis-benchmark on the same box and writes
# bench/results/redis_lookup.md. Starts its own redis-server (loopback, a free port, no
# persistence, in a temp dir), imports N generated customers with `routerctl customers import`,
# runs redis-benchmark's pipelined HGETALL on those customer hashes, then bench/redis_lookup.
# Every measurement is repeated REPEATS times and the median reported (the box is shared).
#
# Usage: bench/redis_lookup.sh [BUILD_DIR]   (default build-rbench, a Release build with
#        -DROUTER_BUILD_BENCH=ON and the targets redis_lookup, customergen, routerctl built)
# Environment: N (customers, default 100000), SECONDS_PER_RUN (default 8), REPEATS (default 3),
#              INFLIGHT (default "1 16 64 256"), OUT (default bench/results/redis_lookup.md).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-rbench}
N=${N:-100000}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
REPEATS=${REPEATS:-3}
INFLIGHT=${INFLIGHT:-"1 16 64 256"}
OUT=${OUT:-$ROOT/bench/results/redis_lookup.md}
BENCH_REQUESTS=${BENCH_REQUESTS:-2000000}

LOOKUP=$BUILD/bench/redis_lookup
CUSTOMERGEN=$BUILD/tools/customergen/customergen
ROUTERCTL=$BUILD/tools/routerctl/routerctl
for bin in "$LOOKUP" "$CUSTOMERGEN" "$ROUTERCTL"; do
  [[ -x $bin ]] || { echo "missing $bin: build redis_lookup customergen routerctl in $BUILD" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/redis_lookup.XXXXXX)
REDIS_PID=
cleanup() {
  if [[ -n $REDIS_PID ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$TMP" --save '' --appendonly no \
  --daemonize no --logfile "$TMP/redis.log" &
REDIS_PID=$!
CLI=(redis-cli -p "$PORT")
for _ in $(seq 100); do "${CLI[@]}" ping >/dev/null 2>&1 && break; sleep 0.05; done
"${CLI[@]}" ping >/dev/null

log() { echo "[redis_lookup.sh] $*" >&2; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
server_cpu() { "${CLI[@]}" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s+=$2} END {printf "%.3f", s}'; }

log "generating and importing $N customers (port $PORT, dir $TMP)"
"$CUSTOMERGEN" --count "$N" --seed 1 --out "$TMP/customers.jsonl"
IMPORT_SUMMARY=$("$ROUTERCTL" customers import "$TMP/customers.jsonl" --redis "127.0.0.1:$PORT")
log "$IMPORT_SUMMARY"

# redis-benchmark's __rand_int__ is a 12-digit zero-padded number, customer ids are G1..GN: copy
# each customer hash to bench:customer:<12 digits> (COPY keeps the encoding) and give each an
# index string bench:idx:<12 digits> → its id, as a phone index key is.
"${CLI[@]}" eval "
for i = 1, tonumber(ARGV[1]) do
  local n = string.format('%012d', i - 1)
  redis.call('COPY', 'router:customer:G' .. i, 'bench:customer:' .. n, 'REPLACE')
  redis.call('SET', 'bench:idx:' .. n, 'G' .. i)
end
return redis.call('DBSIZE')" 0 "$N" >/dev/null
ENCODING=$("${CLI[@]}" object encoding bench:customer:000000000000)
FIELDS=$("${CLI[@]}" hlen bench:customer:000000000000)
HASH_BYTES=$("${CLI[@]}" memory usage bench:customer:000000000000)

# The lookup script exactly as customer_store.cc sends it (its SHA1 must match; checked below).
"$LOOKUP" --print-lookup-script > "$TMP/lookup.lua"
SHA=$("${CLI[@]}" script load "$(cat "$TMP/lookup.lua")")

# One redis-benchmark run: prints "rps server_cpu_util".
bench_once() {
  local c0 t0 c1 t1 rps
  c0=$(server_cpu); t0=$(date +%s.%N)
  rps=$(redis-benchmark -p "$PORT" --csv "$@" | tail -1 | awk -F'","' '{gsub(/"/, "", $2); print $2}')
  t1=$(date +%s.%N); c1=$(server_cpu)
  awk -v r="$rps" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" \
    'BEGIN {printf "%.0f %.2f\n", r, (c1 - c0) / (t1 - t0)}'
}
# Median of REPEATS runs: "rps server_cpu_util all-rps".
bench_median() {
  local runs=() line
  for _ in $(seq "$REPEATS"); do line=$(bench_once "$@"); runs+=("$line"); log "redis-benchmark $*: $line"; done
  local rps util
  rps=$(printf '%s\n' "${runs[@]}" | awk '{print $1}' | median)
  util=$(printf '%s\n' "${runs[@]}" | awk -v r="$rps" '$1 == r {print $2; exit}')
  echo "$rps $util $(printf '%s\n' "${runs[@]}" | awk '{print $1}' | paste -sd/)"
}

RB_COMMON=(-n "$BENCH_REQUESTS" -r "$N")
HGETALL_CMD=(HGETALL bench:customer:__rand_int__)
EVAL_CMD=(EVALSHA "$SHA" 1 bench:idx:__rand_int__ router:customer: index)
read -r RB_HGETALL RB_HGETALL_UTIL RB_HGETALL_ALL < <(bench_median -P 16 -c 50 "${RB_COMMON[@]}" "${HGETALL_CMD[@]}")
read -r RB_HGETALL1 RB_HGETALL1_UTIL RB_HGETALL1_ALL < <(bench_median -P 64 -c 1 "${RB_COMMON[@]}" "${HGETALL_CMD[@]}")
read -r RB_ONEKEY RB_ONEKEY_UTIL RB_ONEKEY_ALL < <(bench_median -P 16 -c 50 -n "$BENCH_REQUESTS" HGETALL router:customer:G1)
read -r RB_EVAL RB_EVAL_UTIL RB_EVAL_ALL < <(bench_median -P 16 -c 50 "${RB_COMMON[@]}" "${EVAL_CMD[@]}")
read -r RB_EVAL1 RB_EVAL1_UTIL RB_EVAL1_ALL < <(bench_median -P 64 -c 1 "${RB_COMMON[@]}" "${EVAL_CMD[@]}")

# One redis_lookup run per (key, K, cache); median by lookups/s. Prints the median run's line
# and the rates of all runs.
lookup_median() {
  local runs=() line
  for _ in $(seq "$REPEATS"); do
    line=$("$LOOKUP" --redis "127.0.0.1:$PORT" --customers "$TMP/customers.jsonl" \
      --seconds "$SECONDS_PER_RUN" "$@") || { log "FAILED: $line"; }
    log "redis_lookup $*: $line"
    runs+=("$line")
  done
  local rates med
  rates=$(printf '%s\n' "${runs[@]}" | sed -n 's/.*lookups_per_s=\([0-9]*\).*/\1/p')
  med=$(echo "$rates" | median)
  printf '%s\n' "${runs[@]}" | grep -m1 "lookups_per_s=$med " || true
  echo "ALL $(echo "$rates" | paste -sd/)"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }

declare -A LINE ALL
for k in $INFLIGHT; do
  out=$(lookup_median --key phone --inflight "$k" --cache-entries 0)
  LINE[phone:$k]=$(head -1 <<<"$out"); ALL[phone:$k]=$(sed -n 's/^ALL //p' <<<"$out")
done
KMAX=256
out=$(lookup_median --key id --inflight "$KMAX" --cache-entries 0)
LINE[id:$KMAX]=$(head -1 <<<"$out"); ALL[id:$KMAX]=$(sed -n 's/^ALL //p' <<<"$out")
out=$(lookup_median --key phone --inflight "$KMAX" --cache-entries 100000)
LINE[cache:$KMAX]=$(head -1 <<<"$out"); ALL[cache:$KMAX]=$(sed -n 's/^ALL //p' <<<"$out")
SCRIPT_MATCHES=$("${CLI[@]}" script exists "$SHA")

BEST=0; BEST_K=
for k in $INFLIGHT; do
  r=$(field lookups_per_s "${LINE[phone:$k]}"); r=${r:-0}
  if (( r > BEST )); then BEST=$r; BEST_K=$k; fi
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

mkdir -p "$(dirname "$OUT")"
{
  echo "# Redis customer lookup: results"
  echo
  echo "Written by \`bench/redis_lookup.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); what it measures and"
  echo "why: \`bench/redis_lookup.md\`."
  echo
  echo "## Machine"
  echo
  echo "- \`nproc\`: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "- $(redis-server --version)"
  echo "- Shared: other builds and test runs used the same two cores during the run, so every"
  echo "  figure is the median of $REPEATS runs (all runs listed)."
  echo "- Commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet -- adapters/redis 2>/dev/null || echo ' + uncommitted changes in adapters/redis')"
  echo
  echo "## Data"
  echo
  echo "- \`customergen --count $N --seed 1\`, imported with \`routerctl customers import\`: $IMPORT_SUMMARY"
  echo "- A customer hash: $FIELDS fields, encoding $ENCODING, $HASH_BYTES bytes (MEMORY USAGE)."
  echo "- redis-benchmark reads \`bench:customer:<12 digits>\`, COPYs of the N customer hashes (its"
  echo "  \`__rand_int__\` is zero-padded, the ids are not), and \`bench:idx:<12 digits>\` → id strings."
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "redis-server --port $PORT --bind 127.0.0.1 --dir TMP --save '' --appendonly no"
  echo "redis-benchmark -p $PORT --csv -P 16 -c 50 ${RB_COMMON[*]} ${HGETALL_CMD[*]}"
  echo "redis-benchmark -p $PORT --csv -P 64 -c 1 ${RB_COMMON[*]} ${HGETALL_CMD[*]}"
  echo "redis-benchmark -p $PORT --csv -P 16 -c 50 -n $BENCH_REQUESTS HGETALL router:customer:G1"
  echo "redis-benchmark -p $PORT --csv -P 16 -c 50 ${RB_COMMON[*]} EVALSHA <lookup script> 1 bench:idx:__rand_int__ router:customer: index"
  echo "redis-benchmark -p $PORT --csv -P 64 -c 1 ${RB_COMMON[*]} EVALSHA <lookup script> 1 bench:idx:__rand_int__ router:customer: index"
  echo "redis_lookup --redis 127.0.0.1:$PORT --customers TMP/customers.jsonl --seconds $SECONDS_PER_RUN --key phone --inflight K --cache-entries 0"
  echo '```'
  echo
  echo "The lookup script's SHA1 is $SHA; \`SCRIPT EXISTS\` after the redis_lookup runs: $SCRIPT_MATCHES"
  echo "(1: redis-benchmark ran the very script the store sends)."
  echo
  echo "## redis-benchmark (median of $REPEATS; server CPU = redis-server's user+sys seconds per second)"
  echo
  echo "| command | -P | -c | requests/s | server CPU | runs |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| HGETALL, N random customer hashes | 16 | 50 | **$RB_HGETALL** | $RB_HGETALL_UTIL | $RB_HGETALL_ALL |"
  echo "| HGETALL, N random customer hashes | 64 | 1 | $RB_HGETALL1 | $RB_HGETALL1_UTIL | $RB_HGETALL1_ALL |"
  echo "| HGETALL, one customer hash | 16 | 50 | $RB_ONEKEY | $RB_ONEKEY_UTIL | $RB_ONEKEY_ALL |"
  echo "| EVALSHA lookup script (GET index + HMGET of the record fields), N random | 16 | 50 | $RB_EVAL | $RB_EVAL_UTIL | $RB_EVAL_ALL |"
  echo "| EVALSHA lookup script (GET index + HMGET of the record fields), N random | 64 | 1 | $RB_EVAL1 | $RB_EVAL1_UTIL | $RB_EVAL1_ALL |"
  echo
  echo "## redis_lookup (one connection, as routerd's lookup connection; median of $REPEATS)"
  echo
  echo "| key | K in flight | cache | lookups/s | found | not found | degraded | p50 µs | p99 µs | client CPU µs/lookup | server CPU µs/lookup | server CPU | runs |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  row() {
    local name=$1 key=$2 l=$3
    echo "| $name | $(field inflight "$l") | $( [[ $(field cache_entries "$l") == 0 ]] && echo off || echo "$(field cache_entries "$l")") | **$(field lookups_per_s "$l")** | $(field found "$l") | $(field not_found "$l") | $(field degraded "$l") | $(field p50_us "$l") | $(field p99_us "$l") | $(field client_cpu_us_per_lookup "$l") | $(field server_cpu_us_per_lookup "$l") | $(field server_cpu_util "$l") | ${ALL[$key]} |"
  }
  for k in $INFLIGHT; do row phone "phone:$k" "${LINE[phone:$k]}"; done
  row "customer id (1 op)" "id:$KMAX" "${LINE[id:$KMAX]}"
  row "phone, default cache" "cache:$KMAX" "${LINE[cache:$KMAX]}"
  echo
  echo "## Ratio"
  echo
  echo "- Best phone lookup rate (K = $BEST_K): $BEST lookups/s."
  echo "- Target: ≥ 0.5 × redis-benchmark pipelined HGETALL ($RB_HGETALL/s): **$(ratio "$BEST" "$RB_HGETALL")×**."
  echo "- Against the same script through redis-benchmark ($RB_EVAL/s, the server's ceiling for this"
  echo "  lookup): $(ratio "$BEST" "$RB_EVAL")×."
  echo
  echo "Raw redis_lookup lines (median runs):"
  echo
  echo '```'
  for k in $INFLIGHT; do echo "${LINE[phone:$k]}"; done
  echo "${LINE[id:$KMAX]}"
  echo "${LINE[cache:$KMAX]}"
  echo '```'
} > "$OUT"
log "wrote $OUT"
