#!/usr/bin/env bash
# FastGate against nginx and HAProxy at the same moment: bench/ab.sh for every scenario and peer (each pair sharing
# CPU 0, each under its own load generator on CPU 1), then one table of FastGate's CPU ÷ the better peer's — the
# README's "same moment" column. Steadier than bench/e2e.sh's rows (each proxy alone on the core, one after the
# other), which move ±10% between runs an hour apart on this VM; two proxies sharing a core is not how either runs in
# production, so it compares costs, not capacity. Saves the report under bench/results/ with date and machine.
# Usage: bench/same-moment.sh [FASTGATE_BINARY=bench/.build/fastgate/fastgate] [ROUNDS=5] [SECONDS=8]
#   SAME_SCENARIOS="get-64B ..." runs only those scenarios; SAME_PEERS="nginx haproxy" only those peers (each must be
#   installed: apt-get install -y nginx haproxy). About 10 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
fastgate=$(realpath -m "${1:-bench/.build/fastgate/fastgate}"); rounds="${2:-5}"; seconds="${3:-8}"
scenarios=(${SAME_SCENARIOS:-get-64B get-16KiB post-4KiB mtls-handshake-full mtls-handshake-resumed})
peers=()
for p in ${SAME_PEERS:-nginx haproxy}; do
  if command -v "$p" >/dev/null; then peers+=("$p"); else echo "== $p is not installed (apt-get install -y $p): skipped"; fi
done
[ ${#peers[@]} -gt 0 ] || { echo "no peer to compare with"; exit 1; }
[ -x "$fastgate" ] || { echo "missing $fastgate (./run-bench.sh --e2e-only builds it, or dotnet publish src/FastGate -c Release -r linux-x64 -p:PublishAot=true -o DIR)"; exit 1; }
if ss -ltn 2>/dev/null | grep -qE ':(860[6-9]|861[0-9]|961[01]) '; then
  echo "a process already listens on one of bench/ab.sh's ports (8606-8619, 9610-9611): stop it first (ss -ltnp)"; exit 1
fi

stamp=$(date -u +%Y-%m-%dT%H%M%SZ); out="bench/results/same-moment-$stamp.md"; work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
for s in "${scenarios[@]}"; do
  for p in "${peers[@]}"; do
    echo "== $s: FastGate and $p at once, $rounds rounds of $seconds s ($(date -u +%H:%M:%S))"
    bench/ab.sh "$fastgate" "$p" "$rounds" "$seconds" "$s" > "$work/$s-$p.md"
    grep -E '^B ÷ A' "$work/$s-$p.md" | sed "s/^B/  $p/; s/ A:/ FastGate:/"
  done
done

{
  echo "# FastGate and its peers at the same moment, $stamp"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); FastGate \`$fastgate\`;"
  echo "each pair on CPU 0 at once, each under its own load generator on CPU 1 (bench/ab.sh), $rounds rounds of $seconds s per scenario."
  echo
} > "$out"
python3 - "$work" "$out" "${#scenarios[@]}" "${scenarios[@]}" "${peers[@]}" <<'PY'
import re, statistics, sys
work, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
scenarios, peers = sys.argv[4:4 + n], sys.argv[4 + n:]
rows = []
for s in scenarios:
    cells, best = [], None
    for p in peers:
        ratios = [float(m.group(1)) for m in re.finditer(r"^\| \d+ \|.*\| ([0-9.]+)(?: \(errors: \d+\))? \|$", open(f"{work}/{s}-{p}.md").read(), re.M)]
        med = statistics.median(ratios)  # peer's CPU ÷ FastGate's
        cells.append(f"{med:.3f} ({min(ratios):.3f}–{max(ratios):.3f})")
        if best is None or med < best[1]:
            best = (p, med)
    rows.append(f"| {s} | " + " | ".join(cells) + f" | {1 / best[1]:.3f} ({best[0]}) |")
with open(out, "a") as f:
    f.write("| scenario | " + " | ".join(f"{p}'s CPU ÷ FastGate's, median (range)" for p in peers) + " | FastGate ÷ the better peer |\n")
    f.write("|---|" + "---:|" * (len(peers) + 1) + "\n")
    f.write("\n".join(rows) + "\n")
PY
for s in "${scenarios[@]}"; do for p in "${peers[@]}"; do
  { echo; echo "## $s, FastGate (A) and $p (B)"; echo; grep -E '^\||^B ÷ A' "$work/$s-$p.md"; } >> "$out"
done; done
echo; sed -n '/^| scenario/,/^$/p' "$out"
echo "saved $out"
