#!/usr/bin/env bash
# FastGate benchmarks: BenchmarkDotNet micro benchmarks (MemoryDiagnoser) of the hot path.
# Usage: ./run-bench.sh [--full] [--filter PATTERN] [--micro-only] [--e2e-only] [--seconds N]
#   micro: BenchmarkDotNet's short job by default (about 3 minutes), --full for the long job; then the allocation budget.
#   e2e:   bench/e2e.sh — FastGate (NativeAOT) between the load generator and a mutual-TLS upstream, pinned to cores;
#          every proxy twice, in turn (E2E_ROUNDS), 4 s per scenario (--seconds), medians in the comparison;
#          E2E_PROXIES="fastgate fastgate-jit nginx" adds the JIT single-file build (built only then); "floor" adds
#          bench/SslStreamFloor, the least an SslStream proxy does (built only then).
#   Bounded: the whole run stays within RUN_BENCH_BUDGET seconds (default 870, under 15 minutes) — a second round, or
#   a scenario, that would end past it is left out and the report says so; the comparison uses what ran.
set -euo pipefail
cd "$(dirname "$0")"
budget="${RUN_BENCH_BUDGET:-870}"
deadline=$(( $(date +%s) + budget ))

job=(--job short)
filter='*'
micro=1; e2e=1; seconds=4
while [ $# -gt 0 ]; do
  case "$1" in
    --full) job=(); shift ;;
    --filter) filter="$2"; shift 2 ;;
    --micro-only) e2e=0; shift ;;
    --e2e-only) micro=0; shift ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

results="bench/results"
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"

if [ "$micro" = 1 ]; then
echo "== building Release"
dotnet build -c Release bench/FastGate.Benchmarks -v quiet -nologo

echo "== micro benchmarks (${job[*]:-full job}, filter '$filter')"
rm -rf bench/FastGate.Benchmarks/BenchmarkDotNet.Artifacts/results
(cd bench/FastGate.Benchmarks && dotnet run -c Release --no-build -- --filter "$filter" "${job[@]}" --exporters github json) | tee "$results/micro-$stamp.log"

out="$results/micro-$stamp.md"
{
  echo "# FastGate micro benchmarks, $stamp"
  echo
  echo "Machine: $machine"
  echo
  for report in bench/FastGate.Benchmarks/BenchmarkDotNet.Artifacts/results/*-report-github.md; do
    [ -f "$report" ] && { echo "## $(basename "$report" -report-github.md)"; sed -n '/^|/p' "$report"; echo; }
  done
} > "$out"
echo "== results saved to $out"

echo "== allocation budget (bench/allocation-budget.json)"
if command -v python3 >/dev/null; then
  python3 bench/check-allocation-budget.py | tee -a "$out" || { echo "allocation budget exceeded"; exit 1; }
else
  echo "python3 is missing: cannot check the allocation budget" >&2; exit 1
fi
fi

if [ "$e2e" = 1 ]; then
  for tool in taskset python3; do command -v "$tool" >/dev/null || { echo "$tool is required for the end-to-end run"; exit 1; }; done
  if ! command -v clang >/dev/null; then
    echo "== installing clang and zlib1g-dev for the NativeAOT build"; apt-get update -qq && apt-get install -y -qq clang zlib1g-dev >/dev/null
  fi
  echo "== building the standalone binary (NativeAOT) and the load generator"
  dotnet publish src/FastGate -c Release -r linux-x64 -p:PublishAot=true -o bench/.build/fastgate -nologo -v quiet
  # the JIT single-file build, measured next to NativeAOT on request (NativeAOT ships: see README, "NativeAOT ships")
  if [[ " ${E2E_PROXIES:-} " == *" fastgate-jit "* ]]; then
    dotnet publish src/FastGate -c Release -r linux-x64 -p:PublishSingleFile=true --self-contained -o bench/.build/fastgate-jit -nologo -v quiet
  fi
  if [[ " ${E2E_PROXIES:-} " == *" floor "* ]]; then
    dotnet publish bench/SslStreamFloor -c Release -r linux-x64 -o bench/.build/sslstream-floor -nologo -v quiet
  fi
  dotnet build -c Release load/FastGate.Load -nologo -v quiet
  dotnet build -c Release bench/YarpPeer -nologo -v quiet
  # The table is written at the end: e2e.sh keeps to the deadline (15 s kept for the table); the hard stop is a backstop.
  remaining=$(( deadline - $(date +%s) ))
  [ "$remaining" -gt 60 ] || { echo "no time left for the end-to-end run within RUN_BENCH_BUDGET=$budget s"; exit 1; }
  E2E_DEADLINE=$(( deadline - 15 )) timeout "$(( remaining + 20 ))" bench/e2e.sh "$results/e2e-$stamp.md" "$seconds"
  echo "== results saved to $results/e2e-$stamp.md"
fi
