#!/usr/bin/env bash
# Developer entry point: installs what is missing (Debian packages only), builds, tests.
#   tools/dev.sh run     install deps, build Release; a local redis-server with the demo
#                        customers, routerd on the demo center + routerdemo traffic, live in
#                        routerctl watch and on routerwall's web wallboard; Ctrl-C stops all
#                        [--duration S] [--quiet]
#                        --sip: instead of routerdemo, SIPp callers and agents' phones through
#                        routersip (the SIP demo center, tools/routersip/demo/; docs/routersip.md)
#   tools/dev.sh test    install deps, check formatting and layering (tools/check_layers.sh),
#                        build with ASan+UBSan and -Werror, run every test (CTest labels
#                        unit, integration, fault, simulation), then each libFuzzer target
#                        for 15 s (clang build in build-fuzz/; tests/fuzz/README.md)
#   tools/dev.sh fuzz [S]  build the libFuzzer targets and run each for S seconds (default
#                        300), two at a time; new inputs collect in build-fuzz/fuzz-corpus/
#   tools/dev.sh build   install deps, build Release into build-release/
#   tools/dev.sh lint    clang-tidy (.clang-tidy's checks) over engine/, tools/ and bench/
#   tools/dev.sh deps    only install what is missing
# Environment: BUILD_DIR (test build folder, default build-ci), FUZZ_BUILD_DIR (fuzz build
# folder, default build-fuzz), JOBS (default: nproc),
# ROUTER_SEEDS (randomized-test seeds, default 2000), ROUTER_REDIS_PORT (run: default 6390),
# ROUTER_WALL_LISTEN (run: the wallboard's address, default 127.0.0.1:8090).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config catch2 libbenchmark-dev clang-format libyaml-cpp-dev
  libcli11-dev nlohmann-json3-dev protobuf-compiler libprotobuf-dev libgrpc++-dev
  protobuf-compiler-grpc libasio-dev libphonenumber-dev libspdlog-dev libfmt-dev libhiredis-dev
  libjemalloc-dev redis-server clang libclang-rt-14-dev libcivetweb-dev haproxy
  redis-sentinel  # Redis under Sentinel (docs/availability.md; tests/fault/sentinel_fault_test.cc)
  prometheus-cpp-dev prometheus  # metrics, and promtool to check them (docs/operations.md)
  tzdata  # the IANA time zones queues' opening hours are in (docs/routing.md, "Opening hours")
  libgmime-3.0-dev swaks  # routermail: MIME parsing, and the LMTP client its tests deliver with
  libsofia-sip-ua-dev sip-tester  # routersip: Sofia-SIP, and SIPp for its tests (docs/routersip.md)
  chromium)  # headless, for the wallboard's test (tests/integration/wallboard; docs/wallboard.md)
JOBS="${JOBS:-$(nproc)}"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "dependencies present"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

check_format() {
  log "clang-format check"
  local bad=0 f
  while IFS= read -r f; do
    if ! clang-format "$f" | cmp -s - "$f"; then
      echo "not clang-format clean: $f (run: clang-format -i $f)"
      bad=1
    fi
  done < <(git ls-files '*.h' '*.cc')
  return "$bad"
}

# A ';' in a Catch2 test name splits CTest's argument: the test would match nothing, run nothing
# and still pass. Refuse such names before running anything.
check_test_names() {
  local bad
  bad=$(find "$1/tests" -name '*_tests' -type f -executable -print0 |
    xargs -0 -I{} sh -c '"{}" --list-test-names-only 2>/dev/null | grep ";" | sed "s|^|{}: |"' || true)
  if [[ -n "$bad" ]]; then
    echo "test names with ';' (CTest would run nothing for them):" >&2
    echo "$bad" >&2
    return 1
  fi
}

test_all() {
  deps
  check_format
  log "layering check"
  tools/check_layers.sh
  local dir="${BUILD_DIR:-build-ci}"
  log "configure $dir (ASan + UBSan, -Werror)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROUTER_WERROR=ON \
    -DROUTER_SANITIZE=ON >/dev/null
  log "build"
  cmake --build "$dir" -j "$JOBS"
  check_test_names "$dir"
  log "test"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1"
  if ! (cd "$dir" && ctest -j "$JOBS" --output-on-failure --timeout 900); then
    # The failing checks again, condensed, last: a long test's output above can be cut short
    # where only the top and the bottom of a log are kept.
    echo "=== failed checks (from $dir/Testing/Temporary/LastTest.log) ===" >&2
    grep -B 2 -A 10 -E "FAILED:|due to unexpected exception" \
      "$dir/Testing/Temporary/LastTest.log" | grep -v "^\[20[0-9][0-9]-" | head -n 200 >&2 || true
    return 1
  fi
  fuzz_build
  run_fuzzers 15
  log "all tests passed"
}

# libFuzzer targets (tests/fuzz/README.md): a clang build of only the libraries they need, every
# translation unit instrumented (-fsanitize=fuzzer-no-link,address,undefined).
FUZZ_TARGETS=(config_fuzzer request_fuzzer customer_file_fuzzer entry_points_fuzzer
  email_headers_fuzzer lmtp_fuzzer)
fuzz_build() {
  local dir="${FUZZ_BUILD_DIR:-build-fuzz}" launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  log "configure $dir (clang, libFuzzer + ASan + UBSan)"
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROUTER_FUZZ=ON \
    -DROUTER_BUILD_TESTS=OFF -DROUTER_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
  log "build the fuzz targets"
  cmake --build "$dir" -j "$JOBS" --target fuzz_targets
}

# Runs every target for $1 seconds, two at a time, on its checked-in seeds
# (tests/fuzz/corpus/<target>/, read only) plus what earlier runs found ($dir/fuzz-corpus/<target>/,
# where new inputs go), with tests/fuzz/<target>.dict when there is one. A crash, leak, sanitizer report, timeout (>10 s on one input) or
# out-of-memory (>2 GiB) fails the run; its input is saved as $dir/fuzz-artifacts/<target>-*.
run_fuzzers() {
  local seconds=$1 dir="${FUZZ_BUILD_DIR:-build-fuzz}" t running=0 failed=0
  mkdir -p "$dir/fuzz-logs" "$dir/fuzz-artifacts"
  rm -f "$dir"/fuzz-logs/*.rc
  log "fuzz each target for ${seconds} s, two at a time (logs: $dir/fuzz-logs/)"
  for t in "${FUZZ_TARGETS[@]}"; do
    if ((running == 2)); then
      wait -n || true
      running=$((running - 1))
    fi
    mkdir -p "$dir/fuzz-corpus/$t"
    (
      rc=0 dict=()
      [[ -f "tests/fuzz/$t.dict" ]] && dict=(-dict="tests/fuzz/$t.dict")
      ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1" \
        "$dir/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/$t-" "${dict[@]}" \
        "$dir/fuzz-corpus/$t" "tests/fuzz/corpus/$t" >"$dir/fuzz-logs/$t.log" 2>&1 || rc=$?
      echo "$rc" >"$dir/fuzz-logs/$t.rc"
    ) &
    running=$((running + 1))
  done
  wait
  for t in "${FUZZ_TARGETS[@]}"; do
    if [[ "$(cat "$dir/fuzz-logs/$t.rc" 2>/dev/null)" == 0 ]]; then
      printf '%-22s %s\n' "$t" "$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/fuzz-logs/$t.log" | tail -n 1)"
    else
      failed=1
      echo "$t FAILED (log: $dir/fuzz-logs/$t.log); the end of its log:" >&2
      tail -n 40 "$dir/fuzz-logs/$t.log" >&2
    fi
  done
  return "$failed"
}

fuzz() {
  local seconds="${1:-300}"
  if [[ ! "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
    echo "fuzz: seconds must be a positive whole number, got '$seconds'" >&2
    return 2
  fi
  deps
  fuzz_build
  run_fuzzers "$seconds"
}

build_release() {
  deps
  log "build Release into build-release/"
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-release -j "$JOBS" "$@"
}

lint() {
  PACKAGES+=(clang-tidy)
  deps
  cmake -S . -B build-lint -DCMAKE_BUILD_TYPE=Debug >/dev/null
  log "clang-tidy"
  git ls-files 'engine/*.cc' 'tools/*.cc' 'bench/*.cc' | xargs clang-tidy -p build-lint --quiet
}

# The SIP demo's traffic (docs/routersip.md): routersip with tools/routersip/demo/routersip.yaml,
# SIPp playing the agents' phones (s01-s05 answer and talk 20 s, s06 is busy) and the callers
# (one every 5 s who waits, one every 20 s who hangs up unless answered within 15 s). Sets
# demo_pid (the patient callers, ended with --duration) and SIP_PIDS (the rest, stopped in this
# order).
start_sip_traffic() {
  local scenarios=tests/integration/routersip/scenarios limit=()
  ((duration > 0)) && limit=(-timeout "${duration}s")
  log "routersip --config tools/routersip/demo/routersip.yaml (log: $out/routersip.log;" \
    "metrics: curl 127.0.0.1:9470/metrics)"
  setsid "$out/tools/routersip/routersip" --config tools/routersip/demo/routersip.yaml \
    >"$out/routersip.log" 2>&1 &
  local sip_pid=$!
  log "SIPp: agents' phones on 127.0.0.1:5081 (answer) and :5082 (busy), callers to" \
    "127.0.0.1:5070 (SIPp errors: $out/sipp-*.log)"
  setsid sipp -sf "$scenarios/phone_answers.xml" -i 127.0.0.1 -p 5081 -d 20000 -nostdin \
    -trace_err -error_file "$out/sipp-phones.log" >/dev/null 2>&1 &
  local phones_pid=$!
  setsid sipp -sf "$scenarios/phone_busy.xml" -i 127.0.0.1 -p 5082 -nostdin \
    -trace_err -error_file "$out/sipp-busy.log" >/dev/null 2>&1 &
  local busy_pid=$!
  sleep 1  # routersip logs its agents in
  setsid sipp -sf "$scenarios/impatient.xml" -i 127.0.0.1 127.0.0.1:5070 -s 18005550100 \
    -key ani "+14045550182" -r 1 -rp 20000 -l 100 -nostdin "${limit[@]}" \
    -trace_err -error_file "$out/sipp-impatient.log" >/dev/null 2>&1 &
  local abandoners_pid=$!
  setsid sipp -sf "$scenarios/caller.xml" -i 127.0.0.1 127.0.0.1:5070 -s 18005550100 \
    -key ani "+12125550137" -r 1 -rp 5000 -l 100 -nostdin "${limit[@]}" \
    -trace_err -error_file "$out/sipp-callers.log" >/dev/null 2>&1 &
  demo_pid=$!
  SIP_PIDS=("$abandoners_pid" "$sip_pid" "$phones_pid" "$busy_pid")
}

# A local redis-server (AOF on, data in build-release/redis/) loaded with the demo customers,
# routerd on tools/routerd/demo/center.yaml against it (customers and the journal in Redis),
# routerdemo's simulated gateways and agent desktops against routerd, and the live queue table
# (routerctl watch) in the foreground, and routerwall's web wallboard on ROUTER_WALL_LISTEN
# (default 127.0.0.1:8090; its URL is printed). Ctrl-C, SIGTERM or the end of --duration stop
# routerdemo (it logs its agents out), then routerwall, then routerd, then Redis. Interactions
# still queued at the end are in Redis's journal: the next run recovers them. --quiet: no live
# table, only the final one. Logs: build-release/{redis,routerd,routerdemo,routerwall}.log.
# ROUTER_ADDR (default 127.0.0.1:50051) is where routerd listens, ROUTER_REDIS_PORT (default 6390)
# where Redis does. --sip: the SIP demo center (tools/routersip/demo/center.yaml) with routersip
# and SIPp (start_sip_traffic) instead of routerdemo; also logs routersip.log and sipp-*.log.
run_demo() {
  local duration=0 quiet=0 sip=0
  while (($#)); do
    case "$1" in
      --sip) sip=1; shift ;;
      --duration) duration="${2:-}"; shift $(($# > 1 ? 2 : 1)) ;;
      --duration=*) duration="${1#*=}"; shift ;;
      -q | --quiet) quiet=1; shift ;;
      *) echo "run: unknown argument '$1' (usage: tools/dev.sh run [--duration S] [--quiet] [--sip])" >&2
        return 2 ;;
    esac
  done
  if [[ ! "$duration" =~ ^[0-9]+$ ]]; then
    echo "run: --duration takes whole seconds (0: until Ctrl-C), got '$duration'" >&2
    return 2
  fi
  local config=tools/routerd/demo/center.yaml out=build-release
  ((sip)) && config=tools/routersip/demo/center.yaml
  local addr="${ROUTER_ADDR:-127.0.0.1:50051}" token
  local redis_port="${ROUTER_REDIS_PORT:-6390}" redis_dir="$out/redis"
  ((sip)) && redis_dir="$out/redis-sip"  # its own journal: the two centers' queues differ
  local wall_listen="${ROUTER_WALL_LISTEN:-127.0.0.1:8090}"
  # The demo configuration's supervisor token (a public demo secret, see the file).
  token=$(sed -n 's/.*token: *\([^,} ]*\).*role: *SUPERVISOR.*/\1/p' "$config" | head -n 1)
  if [[ -z "$token" ]]; then
    echo "run: no SUPERVISOR token found in $config" >&2
    return 1
  fi
  if ((sip)); then
    build_release --target routerd routerctl routerwall routersip
  else
    build_release --target routerd routerctl routerdemo routerwall
  fi
  export ROUTER_ADDR="$addr" ROUTER_TOKEN="$token"

  # Stops what was started (SIGTERM, then SIGKILL after 20 s) in DEMO_PIDS order; idempotent.
  stop_demo() {
    local pid i
    for pid in "${DEMO_PIDS[@]:-}"; do
      [[ -n "$pid" ]] || continue
      kill -TERM "$pid" 2>/dev/null || continue
      for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
    DEMO_PIDS=()
  }
  DEMO_PIDS=()  # stopped in order: routerdemo logs its agents out while routerd still runs
  local routerd_pid demo_pid wall_pid
  SIP_PIDS=()
  summary() {
    if ((sip)); then
      echo "routersip calls by result:"
      grep -o 'event=call_ended result=[a-z_]*' "$out/routersip.log" 2>/dev/null |
        sed 's/.*result=//' | sort | uniq -c || true
    else
      grep '^routerdemo: \(ran\|agents\|error\)' "$out/routerdemo.log" 2>/dev/null || true
    fi
  }
  trap 'stop_demo; summary; exit 130' INT
  trap 'stop_demo; summary; exit 143' TERM
  trap 'stop_demo' EXIT

  # gRPC binds with SO_REUSEPORT: a second routerd on a busy port would start and share it.
  if timeout 1 bash -c ": </dev/tcp/${addr%:*}/${addr##*:}" 2>/dev/null; then
    echo "run: something already listens on $addr (another routerd?);" \
      "stop it or set ROUTER_ADDR" >&2
    return 1
  fi
  if timeout 1 bash -c ": </dev/tcp/${wall_listen%:*}/${wall_listen##*:}" 2>/dev/null; then
    echo "run: something already listens on $wall_listen (another routerwall?);" \
      "stop it or set ROUTER_WALL_LISTEN" >&2
    return 1
  fi
  if timeout 1 bash -c ": </dev/tcp/127.0.0.1/$redis_port" 2>/dev/null; then
    echo "run: something already listens on 127.0.0.1:$redis_port (a Redis of another run?);" \
      "stop it or set ROUTER_REDIS_PORT" >&2
    return 1
  fi
  mkdir -p "$redis_dir"
  log "redis-server on 127.0.0.1:$redis_port, AOF in $redis_dir (log: $out/redis.log)"
  # In sessions of their own, so a Ctrl-C reaches only the table and this script, whose trap
  # then stops routerdemo, routerd and Redis in that order (a terminal's Ctrl-C would otherwise
  # stop all at once).
  setsid redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$(realpath "$redis_dir")" \
    --appendonly yes --save '' --daemonize no >"$out/redis.log" 2>&1 &
  local redis_pid=$!
  DEMO_PIDS=("$redis_pid")
  local tries
  for ((tries = 0; tries < 50; tries++)); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    echo "run: redis-server did not answer on 127.0.0.1:$redis_port" >&2
    tail -n 20 "$out/redis.log" >&2
    return 1
  fi
  log "routerctl customers import tools/routerd/demo/customers.jsonl"
  "$out/tools/routerctl/routerctl" customers import tools/routerd/demo/customers.jsonl \
    --redis "127.0.0.1:$redis_port" --region US

  log "routerd --config $config --listen $addr --redis 127.0.0.1:$redis_port" \
    "(log: $out/routerd.log)"
  setsid "$out/tools/routerd/routerd" --config "$config" --listen "$addr" \
    --redis "127.0.0.1:$redis_port" >"$out/routerd.log" 2>&1 &
  routerd_pid=$!
  DEMO_PIDS=("$routerd_pid" "$redis_pid")
  local waited=0
  until "$out/tools/routerctl/routerctl" --timeout 1 queues >/dev/null 2>&1; do
    if ! kill -0 "$routerd_pid" 2>/dev/null || ((waited >= 40)); then
      if kill -0 "$routerd_pid" 2>/dev/null; then
        echo "run: routerd did not answer within 20 s" >&2
      else
        echo "run: routerd exited" >&2
      fi
      echo "--- last lines of $out/routerd.log:" >&2
      tail -n 20 "$out/routerd.log" >&2
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done

  # The wallboard reads routerd with the demo's supervisor token, from a file only we can read.
  (umask 077 && printf '%s\n' "$token" >"$out/routerwall.token")
  log "routerwall --target $addr --listen $wall_listen (log: $out/routerwall.log)"
  setsid "$out/tools/routerwall/routerwall" --target "$addr" --listen "$wall_listen" \
    --token-file "$out/routerwall.token" --title "Demo contact center" >"$out/routerwall.log" 2>&1 &
  wall_pid=$!
  DEMO_PIDS=("$wall_pid" "$routerd_pid" "$redis_pid")
  log "wallboard: http://$wall_listen/#token=$token (the demo's supervisor token; docs/wallboard.md)"

  if ((sip)); then
    start_sip_traffic
  else
    local demo_args=(--config "$config" --server "$addr" --duration "$duration")
    log "routerdemo ${demo_args[*]} (log: $out/routerdemo.log)"
    setsid "$out/tools/routerdemo/routerdemo" "${demo_args[@]}" >"$out/routerdemo.log" 2>&1 &
    demo_pid=$!
  fi
  DEMO_PIDS=("$demo_pid" "${SIP_PIDS[@]}" "$wall_pid" "$routerd_pid" "$redis_pid")

  # Waiting on background jobs (never a foreground one) lets a signal's trap run at once.
  if ((quiet && duration > 0)); then
    # The final table a second before the traffic stops (hang-ups at shutdown would show as
    # abandons, end-of-shift completions as short handle times).
    sleep $((duration > 1 ? duration - 1 : 1)) &
    DEMO_PIDS=("$!" "$demo_pid" "${SIP_PIDS[@]}" "$wall_pid" "$routerd_pid" "$redis_pid")
    wait "${DEMO_PIDS[0]}" || true
    "$out/tools/routerctl/routerctl" queues || true
  elif ((quiet)); then
    wait "$demo_pid" || true
  elif ((duration > 0)); then
    "$out/tools/routerctl/routerctl" watch --interval 1 --count "$duration" &
    DEMO_PIDS=("$!" "$demo_pid" "${SIP_PIDS[@]}" "$wall_pid" "$routerd_pid" "$redis_pid")
    wait "${DEMO_PIDS[0]}" || true
  else
    "$out/tools/routerctl/routerctl" watch --interval 1 &
    DEMO_PIDS=("$!" "$demo_pid" "${SIP_PIDS[@]}" "$wall_pid" "$routerd_pid" "$redis_pid")
    wait -n "${DEMO_PIDS[0]}" "$demo_pid" || true  # routerdemo ends first only if it failed
  fi
  # With --duration, routerdemo ends on its own a moment after the table's last snapshot.
  local i
  for ((i = 0; i < 100 && duration > 0; i++)); do
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.2
  done
  stop_demo
  summary
}

case "${1:-}" in
  run) shift; run_demo "$@" ;;
  test) test_all ;;
  fuzz) shift; fuzz "$@" ;;
  build) build_release ;;
  lint) lint ;;
  deps) deps ;;
  *)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
