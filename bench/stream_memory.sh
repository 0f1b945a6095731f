#!/usr/bin/env bash
# routerd's RSS under 2,000 never-reading WatchQueues streams over 20 connections, while a gateway
# submits one call a second: starts the built routerd on a copy of the demo center (optionally
# with daemon.server_limits lines appended, e.g. to let one token hold all 2,000 streams), runs
# bench/stream_memory.cc against it, and prints its figures. Results: bench/stream_memory.md.
#
#   bench/stream_memory.sh [BUILD_DIR] [server_limits YAML lines...]
#   bench/stream_memory.sh build "max_streams_per_token: 4096"
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}; shift || true
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp "$ROOT"/tools/routerd/demo/* "$WORK"/
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s|listen: \"127.0.0.1:50051\"|listen: \"127.0.0.1:$PORT\"|" "$WORK/center.yaml"
if [ $# -gt 0 ]; then
  sed -i "s|^  shutdown_deadline_s: 5.*|&\n  server_limits:|" "$WORK/center.yaml"
  for line in "$@"; do
    sed -i "s|^  server_limits:$|&\n    $line|" "$WORK/center.yaml"
  done
  grep -A$(( $# + 1 )) "server_limits:" "$WORK/center.yaml"
fi
"$BUILD/tools/routerd/routerd" --config "$WORK/center.yaml" > "$WORK/routerd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q "event=started" "$WORK/routerd.log" && break; sleep 0.1; done
grep -q "event=started" "$WORK/routerd.log" || { cat "$WORK/routerd.log" >&2; exit 2; }
"$BUILD/bench/stream_memory" --address "127.0.0.1:$PORT" --pid "$PID" \
  --supervisor-token demo-supervisor-token-0001 --gateway-token demo-gateway-token-0001 \
  --streams "${STREAMS:-2000}" --connections "${CONNECTIONS:-20}" --hold-s "${HOLD_S:-30}" \
  --after-s "${AFTER_S:-10}" --dnis "${DNIS:-+18005550100}"
echo "stream_cut log lines: $(grep -c event=stream_cut "$WORK/routerd.log" || true)," \
  "stream_refused: $(grep -c event=stream_refused "$WORK/routerd.log" || true)"
