#!/usr/bin/env bash
# Fuzzes FastGate's request, response and chunked parsers with AFL++ through SharpFuzz, for a bounded time.
# Usage: tests/fuzz/run-fuzz.sh [SECONDS]   (default 600). Exit 1 when AFL++ found a crash or a hang.
# Installs afl++ (Debian) and the sharpfuzz instrumentation tool when missing. Findings stay in tests/fuzz/findings/;
# turn each crash into a test (tests/FastGate.Tests/Http) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
work="tests/fuzz"
out="$work/build"
tools="$work/.tools"

if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++"
  apt-get update -qq && apt-get install -y -qq afl++ >/dev/null
fi
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "== installing the sharpfuzz tool"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

echo "== building and instrumenting the fuzz target"
rm -rf "$out"
dotnet publish tests/FastGate.Fuzz -c Release -o "$out" -nologo -v quiet
"$tools/sharpfuzz" "$out/FastGate.Core.dll"

rm -rf "$work/findings"
echo "== fuzzing for $seconds s"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
timeout $((seconds + 60)) afl-fuzz -i "$work/corpus" -o "$work/findings" -t 5000 -m none -V "$seconds" \
  -x "$work/http.dict" -- dotnet "$out/FastGate.Fuzz.dll" > "$work/afl.log" 2>&1 || true

stats="$work/findings/default/fuzzer_stats"
[ -f "$stats" ] || { tail -20 "$work/afl.log"; echo "afl-fuzz did not start"; exit 1; }
get() { sed -n "s/^$1 *: *//p" "$stats"; }
crashes=$(get saved_crashes); hangs=$(get saved_hangs)
echo "executions: $(get execs_done) in $(get run_time) s, $(get execs_per_sec) execs/s; paths: $(get corpus_count); crashes: $crashes; hangs: $hangs"
if [ "${crashes:-0}" != "0" ] || [ "${hangs:-0}" != "0" ]; then
  echo "findings in $work/findings/default/{crashes,hangs}"
  exit 1
fi
