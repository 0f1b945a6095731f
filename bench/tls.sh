#!/usr/bin/env bash
# What TLS costs routerd (docs/security.md, "TLS and mutual TLS"): the same routerload scenario
# against routerd in plaintext, with TLS and with mutual TLS, back to back and interleaved
# (plain, tls, mtls, plain, tls, mtls, ...) so that a busy machine hurts every mode alike.
# No Redis (customers anonymous, no journal): the engine and the transport only, where TLS's
# share of the work is largest. Certificates are made here with openssl (EC P-256).
# Prints a Markdown table (mean over rounds) and the ratios to plaintext; JSON per run in $WORK.
# Usage: bench/tls.sh   (env: BUILD=build ROUNDS=3 DURATION=10 AGENTS=200 CONCURRENCY=400)
# Uses the binaries already built in $BUILD (routerd, routerload).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
AGENTS=${AGENTS:-200}
CONCURRENCY=${CONCURRENCY:-400}
ROUTERD=$BUILD/tools/routerd/routerd
ROUTERLOAD=$BUILD/tools/routerload/routerload
for b in "$ROUTERD" "$ROUTERLOAD"; do [[ -x $b ]] || { echo "missing $b (build it first)" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/tls-bench.XXXXXX)
ROUTERD_PID=""
cleanup() {
  [[ -n "$ROUTERD_PID" ]] && kill "$ROUTERD_PID" 2>/dev/null && wait "$ROUTERD_PID" 2>/dev/null
  true
}
trap cleanup EXIT

ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
cd "$WORK"
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 1 -subj "/CN=bench CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
for who in server client; do
  openssl req "${ec[@]}" -keyout $who.key -out $who.csr -subj "/CN=$who" 2>/dev/null
done
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
printf 'extendedKeyUsage=clientAuth\n' >client.ext
for who in server client; do
  openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $who.crt -days 1 \
    -extfile $who.ext 2>/dev/null
done
cd - >/dev/null

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ROUTERLOAD" center --agents "$AGENTS" --queues 4 --listen "127.0.0.1:$PORT" --out "$WORK/plain.yaml"
# The generated file's daemon section is one flow mapping; TLS goes into it.
sed "s|^daemon: {|daemon: {\"tls\": {\"cert_file\": \"server.crt\", \"key_file\": \"server.key\"}, |" \
  "$WORK/plain.yaml" >"$WORK/tls.yaml"
sed "s|^daemon: {|daemon: {\"tls\": {\"cert_file\": \"server.crt\", \"key_file\": \"server.key\", \"client_ca_file\": \"ca.crt\"}, |" \
  "$WORK/plain.yaml" >"$WORK/mtls.yaml"

declare -A FLAGS=(
  [plain]=""
  [tls]="--ca $WORK/ca.crt"
  [mtls]="--ca $WORK/ca.crt --cert $WORK/client.crt --key $WORK/client.key"
)
for round in $(seq "$ROUNDS"); do
  for mode in plain tls mtls; do
    "$ROUTERD" -c "$WORK/$mode.yaml" --log-level warn >"$WORK/routerd-$mode-$round.log" 2>&1 &
    ROUTERD_PID=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
    # shellcheck disable=SC2086
    cmd=("$ROUTERLOAD" run --config "$WORK/$mode.yaml" --target "127.0.0.1:$PORT"
      --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup 2 --gateways 4 --quiet
      --json "$WORK/$mode-$round.json" ${FLAGS[$mode]})
    [[ $round == 1 ]] && echo "${cmd[*]}" | sed "s|$WORK|\$WORK|g" >&2
    "${cmd[@]}" >/dev/null || echo "routerload $mode round $round: exit $?" >&2
    kill "$ROUTERD_PID"; wait "$ROUTERD_PID" 2>/dev/null || true
    ROUTERD_PID=""
  done
done

python3 - "$WORK" "$ROUNDS" <<'EOF'
import json, sys, statistics as st
work, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for mode in ("plain", "tls", "mtls"):
    runs = [json.load(open(f"{work}/{mode}-{r}.json")) for r in range(1, rounds + 1)]
    rows[mode] = {
        "lifecycles": st.mean(r["lifecycles_per_s"] for r in runs),
        "rpcs": st.mean(r["rpcs_per_s"] for r in runs),
        "ack50": st.mean(r["latency_ms"]["submit_ack"]["p50"] for r in runs),
        "ack99": st.mean(r["latency_ms"]["submit_ack"]["p99"] for r in runs),
        "offer50": st.mean(r["latency_ms"]["submit_to_offer"]["p50"] for r in runs),
        "offer99": st.mean(r["latency_ms"]["submit_to_offer"]["p99"] for r in runs),
        "each": ", ".join(f'{r["lifecycles_per_s"]:,.0f}' for r in runs),
        "errors": sum(len(r["errors"]) for r in runs),
    }
base = rows["plain"]
print("| mode | lifecycles/s (mean; each round) | × plaintext | RPCs+events/s | submit ack p50 / p99 ms | submit→offer p50 / p99 ms | errors |")
print("|---|---:|---:|---:|---:|---:|---:|")
for mode, r in rows.items():
    print(f'| {mode} | {r["lifecycles"]:,.0f} ({r["each"]}) | {r["lifecycles"] / base["lifecycles"]:.2f} | '
          f'{r["rpcs"]:,.0f} | {r["ack50"]:.2f} / {r["ack99"]:.2f} | {r["offer50"]:.2f} / {r["offer99"]:.2f} | {r["errors"]} |')
EOF
echo "JSON per run: $WORK" >&2
