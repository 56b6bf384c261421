#!/usr/bin/env bash
# End-to-end comparison, called by run-bench.sh: TLS from the client to the proxy, mutual TLS from the proxy to the
# upstream, keep-alive on both legs, ECDSA certificates. The proxy runs pinned to CPU 0; the load generator and the
# upstream share CPU 1. CPU per request = the proxy's utime+stime (from /proc) / requests.
# Usage: bench/e2e.sh OUT.md [SECONDS]   Everything listens on 127.0.0.1; every process started here is stopped on exit.
# E2E_SCENARIOS="get-64B mtls-handshake-full ..." runs only those scenarios (idle-memory is one too);
# E2E_PROXIES="fastgate nginx ..." only those proxies (default: fastgate nginx haproxy yarp; fastgate-jit, the JIT
# single-file build, fastgate-sockets (the same binary on .NET's sockets, "transport": "sockets", inline
# completions), fastgate-threadpool (.NET's sockets, thread-pool completions) and fastgate-b — the build at
# E2E_FASTGATE_B, for an interleaved A/B — only
# when named, on ports of their own; FASTGATE_ONLY=1 = fastgate). floor: bench/SslStreamFloor, the least an SslStream
# proxy does (not a peer: a column of its own and its ratio to the best peer; no GET 16 KiB).
# E2E_ROUNDS=N (default 2): N rounds, each starting all proxies and running every scenario against each in turn;
# the comparison takes each figure's median, so a slow minute on a shared VM does not decide a ratio.
# E2E_DEADLINE=EPOCH-SECONDS (run-bench.sh sets it from its time budget): a round starts only if it is expected to end
# by then (as long as the last one took), a scenario only before then; what is left out is named in the report.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$1"; seconds="${2:-8}"
rounds="${E2E_ROUNDS:-2}"
deadline="${E2E_DEADLINE:-}"
past_deadline() { [ -n "$deadline" ] && [ "$(( $(date +%s) + ${1:-0} ))" -gt "$deadline" ]; }
round=1
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

load=load/FastGate.Load/bin/Release/net10.0/fastgate-load
gateway="${E2E_FASTGATE:-bench/.build/fastgate/fastgate}" # E2E_FASTGATE=path compares another build (A/B)
[ -x "$gateway" ] || { echo "missing $gateway (run-bench.sh builds it)"; exit 1; }
ticks=$(getconf CLK_TCK)
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened"; exit 1; }

echo "== certificates"
"$gateway" certs dev --out "$work/certs" --hosts bench.test,upstream.test,localhost >/dev/null
c="$work/certs"

echo "== upstreams (mutual TLS) on CPU 1"
taskset -c 1 "$load" upstream --listen 127.0.0.1:9610 --body-size 64 --cert "$c/server.crt" --key "$c/server.key" --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
taskset -c 1 "$load" upstream --listen 127.0.0.1:9611 --body-size 16384 --cert "$c/server.crt" --key "$c/server.key" --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
wait_port 9610; wait_port 9611

# FastGate's side of the comparison (bench/ab.sh uses the same file).
sed "s#\${CERTS}#$c#g" bench/fastgate-bench.json.template > "$work/fastgate.json"

# Every proxy of a round is started at once (each pinned to CPU 0, stopped while another is measured), and each
# scenario hits them in turn within seconds: this VM drifts by ±50% over minutes, and measuring proxy after proxy let one
# proxy's slow minute decide a ratio (2026-12-02: FastGate's GET 64 B at 2.02× nginx in one round, 1.07× the next).
labels=(); names=(); tls_ports=(); mtls_ports=(); proxy_pids=(); cpu_pids=(); metrics_urls=()
start_proxy() { # $1 = label, $2 = name in the comparison table, $3 = TLS port, $4 = mTLS port, $5 = admin port or "", then the command
  local label="$1" name="$2" tls="$3" mtls="$4" admin="$5"; shift 5
  echo "== $label on CPU 0" >&2
  taskset -c 0 "$@" > "$work/proxy-${#labels[@]}.log" 2>&1 & local pid=$!; pids+=($pid)
  wait_port "$tls"; wait_port "$mtls"
  [ -z "$admin" ] || wait_port "$admin"
  labels+=("$label"); names+=("$name"); tls_ports+=("$tls"); mtls_ports+=("$mtls"); proxy_pids+=("$pid"); cpu_pids+=("$pid")
  metrics_urls+=("${admin:+http://127.0.0.1:$admin/metrics}")
}
use_proxy() { # $1 = index: the proxy the next measurements are taken from
  tls_port=${tls_ports[$1]}; mtls_port=${mtls_ports[$1]}; cpu_pid=${cpu_pids[$1]}; admin_metrics=${metrics_urls[$1]}; summary_name=${names[$1]}
}
# Only the proxy being measured runs: the others are stopped (SIGSTOP, between scenarios, with no request in flight),
# so a JIT peer's background compilation or a timer cannot take CPU 0 from it.
only_running() { # $1 = index of the proxy to run
  for j in "${!proxy_pids[@]}"; do
    local signal=STOP; [ "$j" = "$1" ] && signal=CONT
    kill -s "$signal" "${proxy_pids[$j]}" $(pgrep -P "${proxy_pids[$j]}") 2>/dev/null || true
  done
}
stop_proxies() { # stopped processes act on SIGTERM only once continued
  for pid in "${proxy_pids[@]}"; do kill -s CONT "$pid" $(pgrep -P "$pid") 2>/dev/null || true; done
  for pid in "${proxy_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  labels=(); names=(); tls_ports=(); mtls_ports=(); proxy_pids=(); cpu_pids=(); metrics_urls=()
}

# FastGate's managed allocation counters from its admin /metrics ("bytes gen0-collections"); empty for other proxies.
admin_metrics=""
gc_counters() {
  [ -n "$admin_metrics" ] || return 0
  python3 - "$admin_metrics" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
if "dotnet_gc_allocated_bytes_total" in values:  # an older build (E2E_FASTGATE) may not export them
    print(values["dotnet_gc_allocated_bytes_total"], values['dotnet_gc_collections_total{generation="0"}'])
PY
}

# FastGate's GC-committed memory in bytes from /metrics (empty for other proxies): splits idle memory into managed and native.
gc_committed() {
  [ -n "$admin_metrics" ] || return 0
  python3 - "$admin_metrics" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
if "dotnet_gc_committed_bytes" in values:
    print(int(float(values["dotnet_gc_committed_bytes"])))
PY
}

wanted() { [ -z "${E2E_SCENARIOS:-}" ] || [[ " $E2E_SCENARIOS " == *" $1 "* ]]; }
[ "${FASTGATE_ONLY:-0}" = 1 ] && E2E_PROXIES=fastgate
proxy_wanted() { [[ " ${E2E_PROXIES:-fastgate nginx haproxy yarp} " == *" $1 "* ]]; }

measure() { # $1 name, then load args; prints a table row
  local name="$1"; shift
  wanted "$name" || return 0
  local before after alloc_before alloc_after
  before=$(cpu_of "$cpu_pid")
  alloc_before=$(gc_counters)
  taskset -c 1 "$load" run "$@" -d "$seconds" --warmup 2 -q --name "$name" --report "$work/$name" > "$work/$name.out"
  after=$(cpu_of "$cpu_pid")
  alloc_after=$(gc_counters)
  # requests/s, p50, p99 from the JSON report (python3 is on the machine; no jq needed)
  python3 - "$work/$name.json" "$((after - before))" "$ticks" "$name" "$work/summary.tsv" "$summary_name" "$alloc_before" "$alloc_after" "$round" "$work/allocations.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
# the proxy's counters cover warm-up too: divide by all requests it served in that window (measured + warm-up estimate)
total = r["requests"] * (r["seconds"] + 2) / r["seconds"]
gc = "–"
if sys.argv[7] and sys.argv[8]:  # FastGate's own GC counters from /metrics: managed bytes and gen0 collections
    b0, g0 = map(float, sys.argv[7].split()); b1, g1 = map(float, sys.argv[8].split())
    per_request = (b1 - b0) / max(total, 1)
    gc = f'{per_request:,.0f} B, {g1 - g0:.0f} gen0'
    with open(sys.argv[10], "a") as allocations:
        allocations.write(f'{sys.argv[6]}\t{sys.argv[4]}\t{per_request:.0f}\n')

cpu_seconds = int(sys.argv[2]) / int(sys.argv[3])
errors = sum(r["errors"].values())
cpu = cpu_seconds * 1e6 / max(total, 1)
print(f'| {sys.argv[4]} | {r["requests_per_second"]:,.0f} | {r["latency_ms"]["p50"]:.3f} | {r["latency_ms"]["p99"]:.3f} | {cpu:.1f} | {gc} | {errors} |')
with open(sys.argv[5], "a") as summary:
    summary.write(f'{sys.argv[6]}\t{sys.argv[4]}\t{r["requests_per_second"]:.1f}\t{r["latency_ms"]["p99"]:.3f}\t{cpu:.1f}\t{errors}\t{sys.argv[9]}\n')
PY
}

# shellcheck source=bench/peer-configs.sh
. bench/peer-configs.sh
write_nginx() { write_nginx_config "$work" "$c" 8620 8621; }
write_haproxy() { write_haproxy_config "$work" "$c" 8630 8631; }

scenario() { # $1 = scenario name: one row for the proxy chosen by use_proxy
  local t=$tls_port m=$mtls_port
  case "$1" in
    get-64B) measure "get-64B" https://bench.test:$t/small/ -c 64 --connect-to 127.0.0.1:$t --cacert "$c/ca.crt" ;;
    # The same load for every proxy (open model, latency from the intended send time): p99 at equal load.
    get-64B-equal-load) measure "get-64B-equal-load" https://bench.test:$t/small/ -c 64 --rate "$equal_rate" --connect-to 127.0.0.1:$t --cacert "$c/ca.crt" ;;
    get-16KiB) measure "get-16KiB" https://bench.test:$t/large/ -c 64 --connect-to 127.0.0.1:$t --cacert "$c/ca.crt" ;;
    post-4KiB) measure "post-4KiB" https://bench.test:$t/small/ -c 64 -m POST --body-size 4096 --connect-to 127.0.0.1:$t --cacert "$c/ca.crt" ;;
    mtls-handshake-full) measure "mtls-handshake-full" https://bench.test:$m/small/ -c 4 --new-connection --connect-to 127.0.0.1:$m --cacert "$c/ca.crt" --cert "$c/client.crt" --key "$c/client.key" ;;
    mtls-handshake-resumed) measure "mtls-handshake-resumed" https://bench.test:$m/small/ -c 4 --new-connection --resume --connect-to 127.0.0.1:$m --cacert "$c/ca.crt" --cert "$c/client.crt" --key "$c/client.key" ;;
  esac
}
scenarios="get-64B get-64B-equal-load get-16KiB post-4KiB mtls-handshake-full mtls-handshake-resumed"

# The rate of get-64B-equal-load: half of what nginx served in this round's get-64B (the issue's bar: p99 no worse than
# nginx's at the same load), else of the best peer's, else of FastGate's; E2E_EQUAL_RATE fixes it. A fixed rate did not
# work on this VM: 15,000/s was more than any proxy served in its slow hours, which voided the row. Half, not 70%: the
# VM's pace moves by more than a third within a minute, and at 70% nginx itself fell behind (p99 359 ms, 2026-12-03).
equal_load_rate() { # $1 = round; prints requests/s and what it is half of
  if [ -n "${E2E_EQUAL_RATE:-}" ]; then echo "$E2E_EQUAL_RATE E2E_EQUAL_RATE"; return; fi
  python3 - "$work/summary.tsv" "$1" <<'PY'
import os, sys
rates = {}
lines = open(sys.argv[1]).read().splitlines() if os.path.exists(sys.argv[1]) else []
for f in (line.split("\t") for line in lines if line):
    if f[1] == "get-64B" and f[6] == sys.argv[2]:
        rates[f[0]] = float(f[2])
peers = {p: r for p, r in rates.items() if not p.startswith("FastGate") and p != "SslStream floor"}
if "nginx" in peers:
    basis, rate = "nginx's GET 64 B rate", peers["nginx"]
elif peers:
    best = max(peers, key=peers.get)
    basis, rate = f"{best}'s GET 64 B rate (the best peer's)", peers[best]
elif "FastGate" in rates:
    basis, rate = "FastGate's GET 64 B rate", rates["FastGate"]
else:
    basis, rate = "no GET 64 B run this round: a default", 20000
print(max(100, int(rate * 0.5) // 100 * 100), "half of " + basis)
PY
}

idle_memory() { # the proxy chosen by use_proxy; prints a line for its section
  local t=$tls_port
  # The marginal memory of 2,000 idle TLS connections: RSS growth from 500 held to 2,500 held. The first 500 fill
  # whatever free memory earlier scenarios left (heap space, allocator free lists); from a cold start (or a warm one)
  # FastGate's whole-delta figure ranged 9.9-23 KiB for unchanged per-connection state. Over 1,000 connections the
  # marginal figure still moved 15-19 KiB between runs of one build (GC timing): 2,000 halve that (2026-12-02).
  local first_held second_held rss0 rss1 rss2 gc1 gc2 managed=""
  rss0=$(rss_kib "$cpu_pid")
  taskset -c 1 "$load" hold https://bench.test:$t/small/ -c 500 --seconds 20 -k --connect-to 127.0.0.1:$t > "$work/hold1.out" 2>&1 &
  first_held=$!
  for _ in $(seq 1 150); do grep -q holding "$work/hold1.out" 2>/dev/null && break; sleep 0.2; done
  sleep 1
  rss1=$(rss_kib "$cpu_pid"); gc1=$(gc_committed)
  taskset -c 1 "$load" hold https://bench.test:$t/small/ -c 2000 --seconds 4 -k --connect-to 127.0.0.1:$t > "$work/hold2.out" 2>&1 &
  second_held=$!
  for _ in $(seq 1 150); do grep -q holding "$work/hold2.out" 2>/dev/null && break; sleep 0.2; done
  sleep 1
  rss2=$(rss_kib "$cpu_pid"); gc2=$(gc_committed)
  kill "$first_held" "$second_held" 2>/dev/null || true
  wait "$first_held" "$second_held" 2>/dev/null || true
  local per_connection=$(( (rss2 - rss1) * 1024 / 2000 ))
  # FastGate: how much of it the GC committed (managed objects and the heap's slack); the rest is native (OpenSSL, BIOs).
  [ -z "$gc1" ] || [ -z "$gc2" ] || managed="; of it the GC's committed memory $(( (gc2 - gc1) / 2000 )) B, the rest native"
  echo "Memory per idle TLS connection: $per_connection B from 500 to 2,500 held$managed ($(head -1 "$work/hold1.out"), then $(head -1 "$work/hold2.out"); RSS $rss0 → $rss1 → $rss2 KiB; the first 500: $(( (rss1 - rss0) * 1024 / 500 )) B each)"
  printf '%s\tidle-memory\t%s\t0\t0\t0\t%s\n' "$summary_name" "$per_connection" "$round" >> "$work/summary.tsv"
}

{
  echo "# End-to-end, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); proxy on CPU 0; load generator and upstream on CPU 1; ${seconds} s per scenario; ${rounds} rounds; every scenario hits each proxy in turn (all started at once, the others stopped while one is measured)."
  echo
  round_seconds=0
  for round in $(seq 1 "$rounds"); do
  if [ "$round" -gt 1 ] && past_deadline "$round_seconds"; then
    echo "Round $round of $rounds and any after it not run: a round takes about $round_seconds s, which would end past the time budget (E2E_DEADLINE); the comparison uses the rounds above." | tee /dev/stderr
    echo
    break
  fi
  round_started=$(date +%s)
  echo "## Round $round of $rounds"
  echo
  if proxy_wanted fastgate; then
    start_proxy "FastGate (NativeAOT, epoll transport)" FastGate 8610 8611 8619 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$gateway" run --config "$work/fastgate.json" --log-level Warning
  fi
  jit=bench/.build/fastgate-jit/fastgate
  if ! proxy_wanted fastgate-jit; then :
  elif [ -x "$jit" ]; then
    # The same gateway as a JIT single-file build (tiered compilation, dynamic PGO): NativeAOT ships unless this is faster.
    sed 's/8610/8612/; s/8611/8613/; s/8619/8618/' "$work/fastgate.json" > "$work/fastgate-jit.json"
    start_proxy "FastGate (JIT single-file build, epoll transport)" "FastGate JIT" 8612 8613 8618 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$jit" run --config "$work/fastgate-jit.json" --log-level Warning
  else
    echo "FastGate JIT: $jit is missing (run-bench.sh builds it); skipped."
  fi
  if proxy_wanted fastgate-b; then
    # A/B of two builds in one run, interleaved like the peers: E2E_FASTGATE_B=path/to/other/fastgate.
    [ -x "${E2E_FASTGATE_B:-}" ] || { echo "fastgate-b: set E2E_FASTGATE_B to another build's binary"; exit 1; }
    sed 's/8610/8606/; s/8611/8607/; s/8619/8608/' "$work/fastgate.json" > "$work/fastgate-b.json"
    start_proxy "FastGate B ($E2E_FASTGATE_B)" "FastGate B" 8606 8607 8608 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$E2E_FASTGATE_B" run --config "$work/fastgate-b.json" --log-level Warning
  fi
  if proxy_wanted fastgate-sockets; then
    sed 's/8610/8604/; s/8611/8605/; s/8619/8603/; 0,/{/s//{ "transport": "sockets",/' "$work/fastgate.json" > "$work/fastgate-sockets.json"
    start_proxy "FastGate (NativeAOT, .NET sockets, inline completions)" "FastGate (.NET sockets)" 8604 8605 8603 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$gateway" run --config "$work/fastgate-sockets.json" --log-level Warning
  fi
  if proxy_wanted fastgate-threadpool; then
    sed 's/8610/8614/; s/8611/8615/; s/8619/8617/; 0,/{/s//{ "transport": "sockets",/' "$work/fastgate.json" > "$work/fastgate-threadpool.json"
    start_proxy "FastGate (NativeAOT, .NET sockets, thread-pool completions)" "FastGate (thread-pool completions)" 8614 8615 8617 env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 "$gateway" run --config "$work/fastgate-threadpool.json" --log-level Warning
  fi
  if ! proxy_wanted nginx; then :
  elif command -v nginx >/dev/null; then
    write_nginx
    start_proxy "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (1 worker, access_log off)" nginx 8620 8621 "" nginx -c "$work/nginx.conf" -p "$work" -g "daemon off;"
    cpu_pids[-1]=$(pgrep -P "${proxy_pids[-1]}" -f "nginx: worker" | head -1)
  else
    echo "nginx: not installed (apt-get install -y nginx); skipped."
  fi
  if ! proxy_wanted haproxy; then :
  elif command -v haproxy >/dev/null; then
    write_haproxy
    start_proxy "HAProxy $(haproxy -v | head -1 | awk '{print $3}') (1 thread)" HAProxy 8630 8631 "" haproxy -f "$work/haproxy.cfg" -db
  else
    echo "haproxy: not installed (apt-get install -y haproxy); skipped."
  fi
  floor=bench/.build/sslstream-floor/SslStreamFloor
  if ! proxy_wanted floor; then :
  elif [ -x "$floor" ]; then
    start_proxy "SslStream floor (bench/SslStreamFloor: one record relayed per read, no HTTP; NativeAOT, inline completions)" "SslStream floor" 8650 8651 "" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$floor" 8650 8651 9610 "$c"
  else
    echo "SslStream floor: $floor is missing (run-bench.sh builds it when E2E_PROXIES names floor); skipped."
  fi
  yarp=bench/YarpPeer/bin/Release/net10.0/YarpPeer
  if ! proxy_wanted yarp; then :
  elif [ -x "$yarp" ]; then
    start_proxy "YARP 2.3 on Kestrel (.NET 10, inline completions)" YARP 8640 8641 "" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_gcServer=0 "$yarp" "$c" 8640 8641 9610 9611
  else
    echo "YARP: $yarp is missing (run-bench.sh builds it); skipped."
  fi
  # Idle memory first, on freshly started proxies: measured last, it depended on how much freed heap the other
  # scenarios had left for the 2,000 new connections to reuse (FastGate: 14.2-15.0 KiB after runs that left its RSS at
  # 117-122 MB, 18.7-21.0 KiB after runs that left 89-106 MB; 18.8-19.6 KiB from a fresh start; nginx 14.8-15.3 KiB
  # either way, 2026-12-02).
  if wanted idle-memory; then
    for i in "${!labels[@]}"; do
      echo "== round $round, idle-memory: ${names[$i]}" >&2
      use_proxy "$i"; only_running "$i"; idle_memory > "$work/idle-$round-$i.md"
    done
  fi
  # Each scenario hits every proxy in turn; the rows are printed per proxy once the round is done.
  for s in $scenarios; do
    wanted "$s" || continue
    if [ "$s" = get-64B-equal-load ]; then
      read -r equal_rate equal_basis < <(equal_load_rate "$round")
      echo "Equal load this round: $equal_rate requests/s for every proxy ($equal_basis)." > "$work/equal-load-$round.md"
    fi
    out_of_time=0
    for i in "${!labels[@]}"; do
      [ "${names[$i]} $s" != "SslStream floor get-16KiB" ] || continue # a 16 KiB response spans two records
      if past_deadline "$((seconds + 4))"; then # the scenario's seconds, its 2 s warm-up, start and report
        echo "Round $round: $s from ${names[$i]} on, and the scenarios after it, not run: they would end past the time budget (E2E_DEADLINE)." | tee /dev/stderr
        echo
        out_of_time=1; break
      fi
      echo "== round $round, $s: ${names[$i]}" >&2
      use_proxy "$i"; only_running "$i"; scenario "$s" >> "$work/rows-$round-$i.md"
    done
    [ "$out_of_time" = 0 ] || break
  done
  if [ -s "$work/equal-load-$round.md" ]; then cat "$work/equal-load-$round.md"; echo; fi
  for i in "${!labels[@]}"; do
    echo "### ${labels[$i]}"
    echo
    echo "| scenario | req/s | p50 ms | p99 ms | proxy CPU µs/request | managed allocation per request, GCs | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    cat "$work/rows-$round-$i.md" 2>/dev/null || true
    if [ -s "$work/idle-$round-$i.md" ]; then echo; cat "$work/idle-$round-$i.md"; fi
    echo
  done
  stop_proxies
  round_seconds=$(( $(date +%s) - round_started ))
  done
  [ -s "$work/summary.tsv" ] && python3 - "$work/summary.tsv" <<'PY'
# One comparison table: each proxy's figure per column and FastGate's ratio to the best peer (below 1.00 on a
# "lower is better" row, above 1.00 on a "higher is better" row means FastGate leads).
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
proxies = list(dict.fromkeys(r[0] for r in rows))
rounds = sorted({int(r[6]) for r in rows})
by_round = {(r[0], r[1], int(r[6])): [float(x) for x in r[2:6]] for r in rows}
# each figure is the median over the rounds (for two rounds, their mean)
data = {}
for proxy, scenario in dict.fromkeys((r[0], r[1]) for r in rows):
    samples = [by_round[(proxy, scenario, n)] for n in rounds if (proxy, scenario, n) in by_round]
    data[(proxy, scenario)] = [statistics.median(s[i] for s in samples) for i in range(4)]
columns = [  # title, scenario, field index (0 req/s, 1 p99, 2 cpu) or None for idle memory, higher is better, format
    ("proxy CPU per request, GET 64 B (µs)", "get-64B", 2, False, "{:.1f}"),
    ("proxy CPU per request, GET 16 KiB (µs)", "get-16KiB", 2, False, "{:.1f}"),
    ("proxy CPU per request, POST 4 KiB (µs)", "post-4KiB", 2, False, "{:.1f}"),
    ("proxy CPU per full mTLS handshake (µs)", "mtls-handshake-full", 2, False, "{:.0f}"),
    ("resumed mTLS handshakes/s (4 clients sharing the other core with the upstream bound it as much as the proxy does; the CPU row below compares proxies)", "mtls-handshake-resumed", 0, True, "{:,.0f}"),
    ("proxy CPU per resumed mTLS handshake (µs)", "mtls-handshake-resumed", 2, False, "{:.0f}"),
    ("memory per idle TLS connection, 2,000 held: 500 → 2,500 (KiB)", "idle-memory", 0, False, "{:.1f}"),
    ("p99 latency, GET 64 B, as fast as each proxy goes (ms)", "get-64B", 1, False, "{:.2f}"),
    ("p99 latency, GET 64 B at one rate for all: half nginx's GET 64 B rate (ms)", "get-64B-equal-load", 1, False, "{:.2f}"),
    # At half load fewer requests share a wakeup and the caches are colder: CPU per request there too, not only flat out.
    ("proxy CPU per request, GET 64 B at that one rate (µs)", "get-64B-equal-load", 2, False, "{:.1f}"),
]
peers = [p for p in proxies if not p.startswith("FastGate") and p != "SslStream floor"]
print()
print(f"## Comparison, median of {len(rounds)} round(s) (FastGate ÷ best peer: below 1.00 leads on lower-is-better rows; above 1.00 on handshakes/s)")
print()
print("| | " + " | ".join(proxies) + " | FastGate ÷ best peer | … in each round |")
print("|---|" + "---:|" * (len(proxies) + 2))

def ratio_of(values, higher, proxy="FastGate"):
    peer_values = [values[p] for p in peers if p in values]
    if proxy not in values or not peer_values:
        return None
    best = max(peer_values) if higher else min(peer_values)
    return values[proxy] / best if best else None

for title, scenario, field, higher, fmt in columns:
    values = {}
    for p in proxies:
        cell = data.get((p, scenario))
        if cell is None:
            continue
        v = cell[field]
        values[p] = v / 1024 if scenario == "idle-memory" else v
    if not values:
        continue
    ratio = ratio_of(values, higher)
    per_round = []
    for n in rounds:
        round_values = {p: by_round[(p, scenario, n)][field] for p in proxies if (p, scenario, n) in by_round}
        r = ratio_of(round_values, higher)
        per_round.append("–" if r is None else f"{r:.2f}")
    print(f"| {title} | " + " | ".join(fmt.format(values[p]) if p in values else "–" for p in proxies)
          + f" | {'–' if ratio is None else f'{ratio:.2f}'} | {' / '.join(per_round)} |")

if "SslStream floor" in proxies:  # what SslStream alone costs, against the same peers
    print()
    print("| SslStream floor ÷ best peer (below 1.00 on lower-is-better rows, above on handshakes/s: an SslStream proxy could lead that row) | median | each round |")
    print("|---|---:|---:|")
    for title, scenario, field, higher, fmt in columns:
        values = {p: data[(p, scenario)][field] for p in proxies if (p, scenario) in data}
        ratio = ratio_of(values, higher, "SslStream floor")
        if ratio is None:
            continue
        per_round = []
        for n in rounds:
            round_values = {p: by_round[(p, scenario, n)][field] for p in proxies if (p, scenario, n) in by_round}
            r = ratio_of(round_values, higher, "SslStream floor")
            per_round.append("–" if r is None else f"{r:.2f}")
        print(f"| {title} | {ratio:.2f} | {' / '.join(per_round)} |")

if "FastGate B" in proxies:  # the interleaved A/B of two builds (E2E_FASTGATE_B)
    print()
    # Paired by round (both builds ran seconds apart): the median of the per-round ratios, and how many rounds A won.
    print("| A/B: FastGate ÷ FastGate B | median of the rounds' ratios | rounds below 1.00 | each round |")
    print("|---|---:|---:|---:|")
    for title, scenario, field, higher, fmt in columns:
        pairs = [(by_round[("FastGate", scenario, n)][field], by_round[("FastGate B", scenario, n)][field]) for n in rounds
                 if ("FastGate", scenario, n) in by_round and ("FastGate B", scenario, n) in by_round]
        if pairs and all(b for _, b in pairs):
            ratios = [x / y for x, y in pairs]
            below = sum(1 for r in ratios if r < 1)
            print(f"| {title} | {statistics.median(ratios):.3f} | {below} of {len(ratios)} | {' / '.join(f'{r:.3f}' for r in ratios)} |")
PY
} | tee "$out"

# The allocation budget for the real binary under 64 busy connections (bench/allocation-budget.json, "e2e.*" keys):
# the micro benchmarks run one connection and cannot see pools that run dry under concurrency.
if [ -s "$work/allocations.tsv" ]; then
  python3 - "$work/allocations.tsv" bench/allocation-budget.json <<'PY' | tee -a "$out"
import json, sys
budget = json.load(open(sys.argv[2]))
over = False
print()
for line in open(sys.argv[1]):
    proxy, scenario, per_request = line.split("\t")
    limit = budget.get(f"e2e.{scenario}")
    if proxy != "FastGate" or limit is None:
        continue
    ok = float(per_request) <= limit
    over |= not ok
    print(f'{"ok" if ok else "OVER BUDGET"} e2e.{scenario}: {float(per_request):.0f} B/request (budget {limit} B)')
sys.exit(1 if over else 0)
PY
fi