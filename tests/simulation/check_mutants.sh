#!/usr/bin/env bash
# Checks that the host simulation catches deliberately broken hosts: each patch in
# tests/simulation/mutants/ is applied to a scratch checkout of HEAD, host_simulation_tests is
# built there and run over MUTANT_SEEDS seeds (default 200), and the run must FAIL. Prints, per
# mutant, the first seed and the invariant that caught it, and how many seeds caught it by which
# invariant (every seed runs: ROUTER_HOST_SIM_KEEP_GOING=1). Not run in CI (a build of its own and
# one rebuild per mutant); run it after changing the simulation or the host.
#   tests/simulation/check_mutants.sh [patch...]
# Environment: MUTANT_SEEDS (default 200), MUTANT_DIR (scratch checkout, default
# /tmp/router-host-mutants), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seeds="${MUTANT_SEEDS:-200}"
dir="${MUTANT_DIR:-/tmp/router-host-mutants}"
jobs="${JOBS:-2}"
patches=("$@")
if ((${#patches[@]} == 0)); then
  patches=("$root"/tests/simulation/mutants/*.patch)
fi

cleanup() { git -C "$root" worktree remove --force "$dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
git -C "$root" worktree add --detach "$dir" HEAD >/dev/null
# One scratch tree for every mutant: only the patched files rebuild. ccache hits across trees
# need paths relative to the tree and no working directory in the hash.
export CCACHE_BASEDIR="$dir" CCACHE_NOHASHDIR=true
cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROUTER_WERROR=ON \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DROUTER_BUILD_BENCH=OFF >/dev/null

survived=0
for patch in "${patches[@]}"; do
  name=$(basename "$patch" .patch)
  git -C "$dir" checkout -q -- adapters/host
  if ! git -C "$dir" apply "$patch"; then
    echo "mutant $name: the patch does not apply to HEAD (update it)"
    survived=1
    continue
  fi
  if ! cmake --build "$dir/build" -j "$jobs" --target host_simulation_tests >"$dir/build.log" 2>&1
  then
    echo "mutant $name: does not build (see $dir/build.log)"
    tail -n 20 "$dir/build.log"
    survived=1
    continue
  fi
  started=$(date +%s)
  if ROUTER_HOST_SIM_SEEDS="$seeds" ROUTER_HOST_SIM_KEEP_GOING=1 \
    "$dir/build/tests/simulation/host_simulation_tests" "[simulation]~[ports]" \
    >"$dir/run.log" 2>&1; then
    echo "mutant $name: SURVIVED $seeds seeds (the simulation did not catch it)"
    survived=1
    continue
  fi
  caught=$(grep -m 1 '^HOST SIMULATION FAILURE' "$dir/run.log" | sed 's/^HOST SIMULATION FAILURE //')
  echo "mutant $name: caught in $(($(date +%s) - started)) s"
  echo "  $caught"
  grep -m 1 '^reproduce:' "$dir/run.log" | sed 's/^/  /' || true
  grep "^host simulation: .* seeds broke" "$dir/run.log" | sed 's/^host simulation: /  /' || true
done
git -C "$dir" checkout -q -- adapters/host
exit "$survived"
