#!/usr/bin/env bash
# Developer entry point: installs what is missing (Debian packages only), builds, tests.
#   tools/dev.sh run     install deps, build Release, run the engine demo (simulated traffic;
#                        routerd replaces it when the daemon lands). Extra args go to the demo.
#   tools/dev.sh test    install deps, build with ASan+UBSan and -Werror, check formatting,
#                        run every test (CTest labels unit, integration, fault)
#   tools/dev.sh build   install deps, build Release into build-release/
#   tools/dev.sh lint    clang-tidy (.clang-tidy's checks) over engine/, tools/ and bench/
#   tools/dev.sh deps    only install what is missing
# Environment: BUILD_DIR (test build folder, default build-ci), JOBS (default: nproc),
# ROUTER_SEEDS (randomized-test seeds, default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config catch2 libbenchmark-dev clang-format libyaml-cpp-dev
  libcli11-dev nlohmann-json3-dev protobuf-compiler libprotobuf-dev libgrpc++-dev
  protobuf-compiler-grpc libasio-dev libphonenumber-dev libspdlog-dev libfmt-dev python3-grpcio)
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

test_all() {
  deps
  check_format
  local dir="${BUILD_DIR:-build-ci}"
  log "configure $dir (ASan + UBSan, -Werror)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROUTER_WERROR=ON \
    -DROUTER_SANITIZE=ON >/dev/null
  log "build"
  cmake --build "$dir" -j "$JOBS"
  log "test"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1"
  (cd "$dir" && ctest -j "$JOBS" --output-on-failure --timeout 900)
  log "all tests passed"
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

run_demo() {
  build_release --target enginedemo
  log "enginedemo $*"
  build-release/tools/enginedemo "$@"
}

case "${1:-}" in
  run) shift; run_demo "$@" ;;
  test) test_all ;;
  build) build_release ;;
  lint) lint ;;
  deps) deps ;;
  *)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
