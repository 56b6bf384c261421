#!/usr/bin/env bash
# Writes src/FastGate/fastgate.mibc, the static profile NativeAOT's compiler lays out each method's blocks by (hot
# blocks together, cold ones out of the way; it reads it through the MibcFile item), and fastgate.mibc.methods beside it.
# Usage: bench/static-pgo.sh   (about a minute; two in the VM's slow hours)
#   Runs a JIT build of FastGate with the runtime's own instrumentation (TieredPGO, tier-0 code instrumented from the
#   start and never promoted, the framework jitted too rather than precompiled) while the load generator sends the same
#   mix as bench/hot-methods.sh (GET 64 B, POST 4 KiB, GET 16 KiB, full and resumed mutual-TLS handshakes), stops it so
#   the runtime writes its counts (DOTNET_WritePGOData), and converts them with bench/StaticPgo. The framework's
#   methods are matched against the shared runtime that ran them, so it must be the version the NativeAOT build
#   compiles (the script stops if the runtime pack's version differs). Everything on 127.0.0.1; every process started
#   here is stopped on exit. Rerun after changing the hot path: .ci/run says how much of the profile still fits.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/FastGate/fastgate.mibc
build=bench/.build/fastgate-jit-pgo

# The newest Microsoft.NETCore.App runs the JIT build ("Microsoft.NETCore.App 10.0.12 [/usr/share/dotnet/shared/...]").
read -r runtime_version runtime_dir < <(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" {v = $2; d = $3 "/" $2} END {print v, d}' | tr -d '[]')
echo "== building (JIT, framework-dependent: runs on Microsoft.NETCore.App $runtime_version)"
rm -rf "$build"
dotnet publish src/FastGate -c Release -r linux-x64 --self-contained false -p:PublishAot=false -o "$build" -v quiet -nologo >/dev/null
pack_version=$(dotnet msbuild src/FastGate -getProperty:BundledNETCoreAppPackageVersion -p:RuntimeIdentifier=linux-x64 -p:PublishAot=true)
if [ "$pack_version" != "$runtime_version" ]; then
  echo "the NativeAOT build compiles Microsoft.NETCore.App $pack_version but the shared runtime here is $runtime_version:"
  echo "the framework's profiles would not match its code; install runtime $pack_version"; exit 1
fi
dotnet build -c Release load/FastGate.Load -v quiet -nologo >/dev/null
dotnet build -c Release bench/StaticPgo -v quiet -nologo >/dev/null
load=load/FastGate.Load/bin/Release/net10.0/fastgate-load

source bench/profile-mix.sh
profile_setup dotnet "$build/fastgate.dll"

echo "== profiling (instrumented JIT build on CPU 0, load on CPU 1)"
taskset -c 0 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_TieredPGO=1 DOTNET_TieredPGO_InstrumentOnlyHotCode=0 \
  DOTNET_ReadyToRun=0 DOTNET_TC_CallCounting=0 DOTNET_WritePGOData=1 DOTNET_PGODataPath="$work/pgo.txt" \
  dotnet "$build/fastgate.dll" run --config "$work/fastgate.json" --log-level Warning > "$work/fastgate.log" 2>&1 & gp=$!; pids+=($gp)
wait_port 8610; wait_port 8611
profile_mix 2
kill -TERM "$gp"; wait "$gp" || true # the runtime writes its counts as it shuts down
[ -s "$work/pgo.txt" ] || { echo "the runtime wrote no PGO data"; tail -5 "$work/fastgate.log"; exit 1; }

echo "== converting"
dotnet bench/StaticPgo/bin/Release/net10.0/static-pgo.dll convert "$work/pgo.txt" "$out" "$build" "$runtime_dir"
