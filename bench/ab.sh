#!/usr/bin/env bash
# Concurrent A/B of two FastGate builds: both run at once, pinned to CPU 0, each loaded by its own load generator
# (on CPU 1) for the same seconds, so the VM's drift (±50% over minutes here) hits both alike. Prints each round's CPU
# per request (utime+stime from /proc ÷ requests) and B÷A; an A/A run stays within ±1% (2026-12-02), where
# bench/e2e.sh's rounds (one proxy after the other) scatter by ±10%. Made for hot-path changes worth 1–5%.
# Usage: bench/ab.sh A_BINARY B_BINARY [ROUNDS=6] [SECONDS=8] [SCENARIO=get-64B]
#   SCENARIO: get-64B, get-16KiB or post-4KiB (32 keep-alive connections a side), or mtls-handshake-full or
#   mtls-handshake-resumed (a new mutual-TLS connection per request, 4 at a time a side: CPU per handshake);
#   A_ENV / B_ENV="NAME=value ..." set environment variables for one side. AB_RATE=N: each side gets N requests/s
#   (open model) instead of as many as it serves: CPU per request at a moderate load, where few events share a wakeup.
#   AB_PROXY_CPUS / AB_LOAD_CPUS (default 0 / 1): the CPUs the proxies / the load generators and upstreams run on, e.g.
#   both 0,1 to measure with more than one event loop per proxy.
#   B_BINARY = nginx runs nginx (configured as in bench/e2e.sh, one worker) as B: FastGate against nginx under the
#   same drift (both proxies share one core here, unlike bench/e2e.sh, where each has it alone); haproxy the same with
#   HAProxy (one thread).
#   B_BINARY = floor:PATH runs bench/SslStreamFloor's binary as B (get-64B and post-4KiB only): the least an SslStream
#   proxy does per request, to show how much of FastGate's CPU is SslStream's and the sockets' own.
# Needs the load generator (dotnet build -c Release load/FastGate.Load). Everything on 127.0.0.1; every process
# started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,9p' "$0"; exit 2; }
a_bin=$(realpath "$1"); rounds="${3:-6}"; seconds="${4:-8}"; scenario="${5:-get-64B}"
if [ "$2" = nginx ] || [ "$2" = haproxy ]; then
  command -v "$2" >/dev/null || { echo "$2: not installed (apt-get install -y $2)"; exit 1; }
  b_bin=$2
elif [[ "$2" == floor:* ]]; then
  b_bin=$(realpath "${2#floor:}"); floor=1
  [ -x "$b_bin" ] || { echo "missing $b_bin (dotnet publish bench/SslStreamFloor -c Release -r linux-x64 -o DIR)"; exit 1; }
  [[ "${5:-get-64B}" == get-64B || "${5:-get-64B}" == post-4KiB ]] || { echo "the floor relays one record per read: get-64B or post-4KiB only"; exit 2; }
else
  b_bin=$(realpath "$2")
  [ -x "$b_bin" ] || { echo "missing $b_bin"; exit 1; }
fi
load=load/FastGate.Load/bin/Release/net10.0/fastgate-load
for f in "$a_bin" "$load"; do [ -x "$f" ] || { echo "missing $f"; exit 1; }; done
# Ports: A serves TLS on 8610 and mutual TLS on 8611, B on 8606 and 8607.
a_port=8610; b_port=8606; connections=32
case "$scenario" in
  get-64B) path=/small/; extra=() ;;
  get-16KiB) path=/large/; extra=() ;;
  post-4KiB) path=/small/; extra=(-m POST --body-size 4096) ;;
  mtls-handshake-full|mtls-handshake-resumed)
    path=/small/; a_port=8611; b_port=8607; connections=4
    extra=(--new-connection); [ "$scenario" = mtls-handshake-resumed ] && extra+=(--resume) ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac

[ -z "${AB_RATE:-}" ] || extra+=(--rate "$AB_RATE")
proxy_cpus="${AB_PROXY_CPUS:-0}"; load_cpus="${AB_LOAD_CPUS:-1}"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened"; exit 1; }
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# shellcheck source=bench/peer-configs.sh
. bench/peer-configs.sh

"$a_bin" certs dev --out "$work/certs" --hosts bench.test,upstream.test,localhost >/dev/null
c="$work/certs"
[ "$connections" = 32 ] || extra+=(--cert "$c/client.crt" --key "$c/client.key")
taskset -c "$load_cpus" "$load" upstream --listen 127.0.0.1:9610 --body-size 64 --cert "$c/server.crt" --key "$c/server.key" --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
taskset -c "$load_cpus" "$load" upstream --listen 127.0.0.1:9611 --body-size 16384 --cert "$c/server.crt" --key "$c/server.key" --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
wait_port 9610; wait_port 9611
sed "s#\${CERTS}#$c#g" bench/fastgate-bench.json.template > "$work/a.json"
sed 's/8610/8606/; s/8611/8607/; s/8619/8608/' "$work/a.json" > "$work/b.json"
# shellcheck disable=SC2086 # A_ENV/B_ENV are lists of NAME=value words
taskset -c "$proxy_cpus" env ${A_ENV:-} "$a_bin" run --config "$work/a.json" --log-level Warning > "$work/a.log" 2>&1 & a_pid=$!; pids+=($a_pid)
if [ "$b_bin" = nginx ]; then
  write_nginx_config "$work" "$c" 8606 8607
  taskset -c "$proxy_cpus" nginx -c "$work/nginx.conf" -p "$work" -g "daemon off;" > "$work/b.log" 2>&1 & pids+=($!)
  wait_port 8606
  b_pid=$(pgrep -P "${pids[-1]}" -f "nginx: worker" | head -1) # the worker does the work; the master waits
elif [ "$b_bin" = haproxy ]; then
  write_haproxy_config "$work" "$c" 8606 8607
  taskset -c "$proxy_cpus" haproxy -f "$work/haproxy.cfg" -db > "$work/b.log" 2>&1 & b_pid=$!; pids+=($b_pid)
elif [ -n "${floor:-}" ]; then
  # shellcheck disable=SC2086
  taskset -c "$proxy_cpus" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 ${B_ENV:-} "$b_bin" 8606 8607 9610 "$c" > "$work/b.log" 2>&1 & b_pid=$!; pids+=($b_pid)
else
  # shellcheck disable=SC2086
  taskset -c "$proxy_cpus" env ${B_ENV:-} "$b_bin" run --config "$work/b.json" --log-level Warning > "$work/b.log" 2>&1 & b_pid=$!; pids+=($b_pid)
fi
wait_port 8610; wait_port 8606; wait_port "$a_port"; wait_port "$b_port"

load_both() { # $1 seconds, $2 report prefix: the same connections on each build, at the same time
  taskset -c "$load_cpus" "$load" run "https://bench.test:$a_port$path" -c "$connections" "${extra[@]}" --connect-to "127.0.0.1:$a_port" \
    --cacert "$c/ca.crt" -d "$1" --warmup 0 -q --report "$work/$2-a" > /dev/null & local la=$!
  taskset -c "$load_cpus" "$load" run "https://bench.test:$b_port$path" -c "$connections" "${extra[@]}" --connect-to "127.0.0.1:$b_port" \
    --cacert "$c/ca.crt" -d "$1" --warmup 0 -q --report "$work/$2-b" > /dev/null & local lb=$!
  wait "$la" "$lb"
}

echo "== A: $a_bin ${A_ENV:-}"
echo "== B: $b_bin ${B_ENV:-}"
echo "== $scenario${AB_RATE:+ at $AB_RATE requests/s a side}, $rounds rounds of $seconds s, A and B on CPU $proxy_cpus at once (after 3 s of warm-up)"
load_both 3 warmup
for round in $(seq 1 "$rounds"); do
  a0=$(cpu_of "$a_pid"); b0=$(cpu_of "$b_pid")
  load_both "$seconds" "r$round"
  a1=$(cpu_of "$a_pid"); b1=$(cpu_of "$b_pid")
  echo "$round $((a1 - a0)) $((b1 - b0))" >> "$work/cpu.tsv"
done
python3 - "$work" "$rounds" "$(getconf CLK_TCK)" <<'PY'
import json, statistics, sys
work, rounds, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ratios = []
print("| round | A requests | A µs CPU/request | B requests | B µs CPU/request | B ÷ A |")
print("|---:|---:|---:|---:|---:|---:|")
for line in open(f"{work}/cpu.tsv"):
    r, ca, cb = map(int, line.split())
    a = json.load(open(f"{work}/r{r}-a.json"))[0]; b = json.load(open(f"{work}/r{r}-b.json"))[0]
    ua = ca / ticks * 1e6 / max(a["requests"], 1); ub = cb / ticks * 1e6 / max(b["requests"], 1)
    errors = sum(a["errors"].values()) + sum(b["errors"].values())
    ratios.append(ub / ua)
    print(f"| {r} | {a['requests']:,} | {ua:.1f} | {b['requests']:,} | {ub:.1f} | {ub / ua:.3f}{' (errors: %d)' % errors if errors else ''} |")
print(f"\nB ÷ A: median {statistics.median(ratios):.3f}, B lower in {sum(x < 1 for x in ratios)} of {len(ratios)} rounds")
PY
