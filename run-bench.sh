#!/usr/bin/env bash
# FastGate benchmarks: BenchmarkDotNet micro benchmarks (MemoryDiagnoser) of the hot path.
# Usage: ./run-bench.sh [--full] [--filter PATTERN]
#   default: BenchmarkDotNet's short job (about a minute); --full: the default (long) job.
# The end-to-end comparison against nginx/HAProxy/YARP is not built yet (issue "Performance").
set -euo pipefail
cd "$(dirname "$0")"

job=(--job short)
filter='*'
while [ $# -gt 0 ]; do
  case "$1" in
    --full) job=(); shift ;;
    --filter) filter="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

results="bench/results"
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"

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
