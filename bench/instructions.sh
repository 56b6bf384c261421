#!/usr/bin/env bash
# User-space instructions per proxied request (callgrind), by component: FastGate's NativeAOT build, and the SslStream
# floor (bench/SslStreamFloor) for comparison. Instruction counts do not drift with the VM the way CPU time does
# (bench/ab.sh's rounds move by ±1.5%, bench/e2e.sh's by ±10%), so they show where a change or a gap is; they do not
# weigh cache misses or the kernel, so confirm a change's worth with bench/ab.sh.
# Usage: bench/instructions.sh [REQUESTS=4000] [get-64B|post-4KiB]
#   Builds both from this tree with their symbol tables (bench/.build/*-symbols), runs each under valgrind on CPU 0
#   with the load generator (8 connections) and test upstream on CPU 1, counts only the measured requests (after a
#   warm-up of as many), and prints a Markdown table of instructions per request by component plus FastGate's
#   largest functions. Needs valgrind (apt-get install -y valgrind; the script says so otherwise). Everything on
#   127.0.0.1; every process started here is stopped on exit. With KEEP=DIR the per-function counts (*.functions:
#   self instructions, object, function) and callgrind outputs are copied to DIR for a closer look.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-4000}"; scenario="${2:-get-64B}"
case "$scenario" in
  get-64B) extra=() ;;
  post-4KiB) extra=(-m POST --body-size 4096) ;;
  *) echo "unknown scenario $scenario (get-64B or post-4KiB: the floor relays one record per read)"; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "valgrind is not installed: apt-get update && apt-get install -y valgrind"; exit 1; }

build=bench/.build
echo "== building (NativeAOT, symbol tables kept; DWARF dropped: valgrind 3.19 cannot read clang's DWARF 5)"
# Native intermediates of their own: an incremental publish reuses the last native link, stripped or not (StripSymbols
# is not one of its inputs), so sharing them with the normal build would hand one build the other's binary.
rm -rf "$build/fastgate-symbols" "$build/sslstream-floor-symbols"
dotnet publish src/FastGate -c Release -r linux-x64 -p:PublishAot=true -p:StripSymbols=false \
  -p:NativeIntermediateOutputPath=obj/native-symbols/ -o "$build/fastgate-symbols" -v quiet -nologo >/dev/null
dotnet publish bench/SslStreamFloor -c Release -r linux-x64 -p:StripSymbols=false \
  -p:NativeIntermediateOutputPath=obj/native-symbols/ -o "$build/sslstream-floor-symbols" -v quiet -nologo >/dev/null
dotnet build -c Release load/FastGate.Load -v quiet -nologo >/dev/null
for binary in "$build/fastgate-symbols/fastgate" "$build/sslstream-floor-symbols/SslStreamFloor"; do
  rm -f "$binary.dbg"
  readelf -S "$binary" | grep -q '\.symtab' || { echo "$binary has no symbol table"; exit 1; }
  objcopy --strip-debug "$binary"
done
load=load/FastGate.Load/bin/Release/net10.0/fastgate-load

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then mkdir -p "$KEEP"; cp "$work"/*.functions "$work"/*.out "$work"/*.requests "$KEEP"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened"; exit 1; }

"$build/fastgate-symbols/fastgate" certs dev --out "$work/certs" --hosts bench.test,upstream.test,localhost >/dev/null
c="$work/certs"
taskset -c 1 "$load" upstream --listen 127.0.0.1:9610 --body-size 64 --cert "$c/server.crt" --key "$c/server.key" --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
wait_port 9610
sed "s#\${CERTS}#$c#g" bench/fastgate-bench.json.template > "$work/fastgate.json"

# measure NAME PATH COMMAND...: callgrind with instrumentation off until the warm-up is done; prints the total
measure() {
  local name=$1 path=$2; shift 2
  taskset -c 0 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work/$name.out" "$@" > "$work/$name.log" 2>&1 & local vp=$!; pids+=($vp)
  wait_port 8610
  taskset -c 1 "$load" run "https://bench.test:8610$path" -c 8 "${extra[@]}" --connect-to 127.0.0.1:8610 --cacert "$c/ca.crt" \
    -n "$requests" -d 600 --warmup 0 -q > /dev/null
  callgrind_control -i on "$vp" > /dev/null
  taskset -c 1 "$load" run "https://bench.test:8610$path" -c 8 "${extra[@]}" --connect-to 127.0.0.1:8610 --cacert "$c/ca.crt" \
    -n "$requests" -d 600 --warmup 0 -q --report "$work/$name" > /dev/null
  callgrind_control -i off "$vp" > /dev/null
  kill "$vp"; wait "$vp" 2>/dev/null || true
  grep -o '"requests": [0-9]*' "$work/$name.json" | head -1 | awk '{print $2}' > "$work/$name.requests"
  # self instructions per function, with its object: "count object function"
  callgrind_annotate --threshold=100 "$work/$name.out" 2>/dev/null \
    | sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *\(.*\) \[\(.*\)\] *$/\1\t\3\t\2/p' | tr -d , > "$work/$name.functions"
}
echo "== FastGate under callgrind (a minute or two)"
measure fastgate /small/ "$build/fastgate-symbols/fastgate" run --config "$work/fastgate.json" --log-level Warning
echo "== SslStream floor under callgrind"
measure floor / "$build/sslstream-floor-symbols/SslStreamFloor" 8610 8611 9610 "$c"

component() { # function object -> component
  awk -F'\t' '{
    f = $3; sub(/^[^:]*:/, "", f); o = $2; c = "other"
    if (o ~ /libcrypto|libssl/) c = "OpenSSL"
    else if (o ~ /libc\.so/) c = "libc"
    else if (f ~ /^FastGate_Core/) c = "FastGate (own code)"
    else if (f ~ /^System_Net_Security/) c = ".NET SslStream"
    else if (f ~ /^System_Net_Sockets|^System_Net_Primitives/) c = ".NET sockets"
    else if (f ~ /^S_P_CoreLib/) c = ".NET CoreLib (async, locks, spans)"
    else if (f ~ /^Rh|^RhP|^Rhp/) c = ".NET runtime (write barriers, casts, dispatch)"
    else if (f ~ /^SslStreamFloor/) c = "floor (own code)"
    else if (o ~ /fastgate|SslStreamFloor/ && f ~ /^[A-Za-z]/ && f !~ /^0x/) c = ".NET native shims"
    print c "\t" $1 }' "$1"
}
fg_req=$(cat "$work/fastgate.requests"); fl_req=$(cat "$work/floor.requests")
component "$work/fastgate.functions" | awk -F'\t' -v n="$fg_req" '{s[$1]+=$2} END {for (k in s) printf "%s\t%.0f\n", k, s[k]/n}' | sort > "$work/fg.c"
component "$work/floor.functions" | awk -F'\t' -v n="$fl_req" '{s[$1]+=$2} END {for (k in s) printf "%s\t%.0f\n", k, s[k]/n}' | sort > "$work/fl.c"

echo
echo "### User-space instructions per proxied request, $scenario ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo
echo "| component | FastGate | SslStream floor | FastGate − floor |"
echo "|---|---:|---:|---:|"
join -t $'\t' -a1 -a2 -e 0 -o 0,1.2,2.2 "$work/fg.c" "$work/fl.c" \
  | awk -F'\t' '{printf "| %s | %\047d | %\047d | %\047d |\n", $1, $2, $3, $2-$3; a+=$2; b+=$3} END {printf "| **total** | **%\047d** | **%\047d** | **%\047d** |\n", a, b, a-b}'
echo
echo "($fg_req and $fl_req requests measured.) FastGate's own functions with the most instructions per request (self):"
echo
echo "| instructions | function |"
echo "|---:|---|"
awk -F'\t' -v n="$fg_req" '$3 ~ /FastGate_Core/ {f=$3; sub(/^[^:]*:/, "", f); sub(/^FastGate_Core_FastGate_Core_/, "", f); printf "%.0f\t%s\n", $1/n, f}' "$work/fastgate.functions" \
  | sort -rn | head -15 | awk -F'\t' '{printf "| %s | `%s` |\n", $1, substr($2, 1, 90)}'
