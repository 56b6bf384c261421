#!/usr/bin/env bash
# Writes src/FastGate/hot-methods.txt, the NativeAOT method order (IlcOrderFile): the managed methods FastGate runs
# under load, most instructions first, so the compiler lays them out next to each other instead of across the
# binary's 4 MB of code (the 200 hottest: 92 pages of 4 KiB by default, 20 in that order). Measured 2026-12-03 with
# bench/ab.sh against the default layout: GET 64 B 0.986, POST 4 KiB 0.975, GET 16 KiB 0.983 of the CPU per request.
# Usage: bench/hot-methods.sh   (about 4 minutes; needs valgrind: apt-get install -y valgrind)
#   Profiles a symbol build under callgrind (load generator and upstreams on CPU 1, everything on 127.0.0.1) while it
#   serves GET 64 B, POST 4 KiB and GET 16 KiB keep-alive requests and full and resumed mutual-TLS handshakes, after a
#   warm-up of each. Rerun after changing the hot path: names of methods that no longer exist are ignored by the
#   compiler, and methods it does not list are laid out after the listed ones, as before.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed: apt-get update && apt-get install -y valgrind"; exit 1; }
out=src/FastGate/hot-methods.txt
build=bench/.build/fastgate-profile

echo "== building (NativeAOT, symbol table kept, default method layout)"
rm -rf "$build"
# Its own native intermediates (an incremental publish reuses the last native link) and no order file of its own:
# the profile must not depend on the layout it produces.
dotnet publish src/FastGate -c Release -r linux-x64 -p:PublishAot=true -p:StripSymbols=false -p:FastGateHotMethodOrder=false \
  -p:NativeIntermediateOutputPath=obj/native-profile/ -o "$build" -v quiet -nologo >/dev/null
dotnet build -c Release load/FastGate.Load -v quiet -nologo >/dev/null
rm -f "$build/fastgate.dbg"
objcopy --strip-debug "$build/fastgate" # valgrind 3.19 cannot read clang's DWARF 5
load=load/FastGate.Load/bin/Release/net10.0/fastgate-load

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened"; exit 1; }

"$build/fastgate" certs dev --out "$work/certs" --hosts bench.test,upstream.test,localhost >/dev/null
c="$work/certs"
for upstream in "9610 64" "9611 16384"; do
  set -- $upstream
  taskset -c 1 "$load" upstream --listen "127.0.0.1:$1" --body-size "$2" --cert "$c/server.crt" --key "$c/server.key" --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
  wait_port "$1"
done
sed "s#\${CERTS}#$c#g" bench/fastgate-bench.json.template > "$work/fastgate.json"

taskset -c 0 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$work/profile.out" "$build/fastgate" run --config "$work/fastgate.json" --log-level Warning \
  > "$work/valgrind.log" 2>&1 & vp=$!; pids+=($vp)
wait_port 8610; wait_port 8611

# load SCALE: each scenario with SCALE times its request count
load_all() {
  local n=$1 tls=(--cacert "$c/ca.crt") mtls=(--cacert "$c/ca.crt" --cert "$c/client.crt" --key "$c/client.key")
  taskset -c 1 "$load" run https://bench.test:8610/small/ -c 8 --connect-to 127.0.0.1:8610 "${tls[@]}" -n $((n * 3000)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8610/small/ -c 8 -m POST --body-size 4096 --connect-to 127.0.0.1:8610 "${tls[@]}" -n $((n * 1500)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8610/large/ -c 8 --connect-to 127.0.0.1:8610 "${tls[@]}" -n $((n * 1500)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8611/small/ -c 2 --new-connection --connect-to 127.0.0.1:8611 "${mtls[@]}" -n $((n * 100)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8611/small/ -c 2 --new-connection --resume --connect-to 127.0.0.1:8611 "${mtls[@]}" -n $((n * 100)) -d 600 --warmup 0 -q >/dev/null
}
echo "== warm-up under callgrind"
load_all 1
echo "== profile (instrumentation on)"
callgrind_control -i on "$vp" >/dev/null
load_all 2
callgrind_control -i off "$vp" >/dev/null
kill "$vp"; wait "$vp" 2>/dev/null || true

# Managed methods only (the native shims and runtime helpers are linked by clang, outside the compiler's layout);
# a recursion suffix ('2) names the same symbol.
callgrind_annotate --threshold=100 "$work/profile.out" 2>/dev/null \
  | sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *\(.*\) \[\(.*\)\] *$/\1\t\2/p' | tr -d , \
  | awk -F'\t' '{f = $2; sub(/^[^:]*:/, "", f); sub(/'"'"'[0-9]+$/, "", f); print $1 "\t" f}' \
  | awk -F'\t' '$2 ~ /^(S_P_|FastGate_|System_|Microsoft_|String__)/' \
  | sort -t$'\t' -k1,1 -rn | cut -f2 | awk '!seen[$0]++' > "$work/order"
nm "$build/fastgate" | awk '{print $3}' | sort -u > "$work/symbols"
grep -x -F -f "$work/symbols" "$work/order" > "$out" || true
echo "== $out: $(wc -l < "$out") methods ($(head -1 "$out") first)"
