#!/usr/bin/env bash
# The layering check: fails, naming file:line and the rule, when an #include crosses a layer the
# wrong way (docs/architecture.md draws the layers). tools/dev.sh test runs it before building;
# run it alone with `tools/check_layers.sh`. Checks every tracked or new .h/.cc file.
#
# One rule per line: a file under FOLDER may not include a path matching FORBIDDEN, unless it also
# matches EXCEPT ("-": no exception). Patterns are extended regexes on the include as written,
# quotes or angle brackets kept: "adapters/redis/client.h", <hiredis/async.h>. A file is checked
# against every rule whose folder holds it (adapters/grpc/x.cc: the adapters/grpc/ rule and the
# adapters/ rule).
#
# FOLDER              FORBIDDEN                                         EXCEPT                  WHY
RULES='
engine/             .                                                 ^("engine/|<[a-z_]+>$)  the routing core: its own headers and the C++ standard library only (no adapters, proto, gRPC, protobuf, absl, Asio, hiredis)
adapters/           ^"(tools|tests|bench)/                            -                       dependencies point tools -> adapters -> engine, never back
adapters/ports/     ^"adapters/|^<(grpcpp|hiredis|asio)                ^"adapters/ports/       a port names no implementation: no other adapter, no transport
adapters/config/    ^"adapters/(grpc|redis|channels|host)/            -                       the configuration is read by the composition root, not wired
adapters/channels/  ^"adapters/(config|grpc|redis|host)/              -                       channels get their options from the composition root
adapters/redis/     ^"adapters/(config|channels|grpc|host)/|^<grpcpp/  -                       the Redis adapter sees only ports and the engine
adapters/grpc/      ^"adapters/redis/|^<hiredis/                      -                       gRPC serves through ports: it knows no Redis
adapters/host/      ^"adapters/(grpc|redis)/|^<(grpcpp|hiredis)/      -                       the engine host: ports, channels, config and the engine only
adapters/http/      ^"adapters/|^<(grpcpp|hiredis|asio)                ^"adapters/http/        the readiness listener: plain HTTP (CivetWeb) and the engine only
'
set -euo pipefail
cd "$(dirname "$0")/.."

# Every include once ("file:line:text"), then every rule against it: no process per line.
mapfile -t includes < <(git ls-files -z --cached --others --exclude-standard -- '*.h' '*.cc' |
  sort -zu | xargs -0 grep -snE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' /dev/null || true)
include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"][^>"]*[>"])'
mapfile -t rules < <(grep -v '^[[:space:]]*$' <<<"$RULES")
violations=0
for entry in "${includes[@]}"; do
  f=${entry%%:*}
  rest=${entry#*:}
  line=${rest%%:*}
  [[ "${rest#*:}" =~ $include_re ]] || continue
  target=${BASH_REMATCH[1]}
  for rule in "${rules[@]}"; do
    read -r folder forbidden except why <<<"$rule"
    [[ "$f" == "$folder"* && "$target" =~ $forbidden ]] || continue
    [[ "$except" != "-" && "$target" =~ $except ]] && continue
    echo "$f:$line: #include $target: forbidden in $folder ($why)"
    violations=$((violations + 1))
  done
done

if ((violations > 0)); then
  echo "layering check: $violations forbidden include(s); docs/architecture.md says where things go" >&2
  exit 1
fi
echo "layering check: ok (${#includes[@]} includes)"
