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

source bench/profile-mix.sh
profile_setup "$build/fastgate"

taskset -c 0 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$work/profile.out" "$build/fastgate" run --config "$work/fastgate.json" --log-level Warning \
  > "$work/valgrind.log" 2>&1 & vp=$!; pids+=($vp)
wait_port 8610; wait_port 8611

echo "== warm-up under callgrind"
profile_mix 1
echo "== profile (instrumentation on)"
callgrind_control -i on "$vp" >/dev/null
profile_mix 2
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
