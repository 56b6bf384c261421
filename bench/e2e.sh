#!/usr/bin/env bash
# End-to-end comparison, called by run-bench.sh: TLS from the client to the proxy, mutual TLS from the proxy to the
# upstream, keep-alive on both legs, ECDSA certificates. The proxy runs pinned to CPU 0; the load generator and the
# upstream share CPU 1. CPU per request = the proxy's utime+stime (from /proc) / requests.
# Usage: bench/e2e.sh OUT.md [SECONDS]   Everything listens on 127.0.0.1; every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$1"; seconds="${2:-8}"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

load=load/FastGate.Load/bin/Release/net10.0/fastgate-load
gateway=bench/.build/fastgate/fastgate
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

cat > "$work/fastgate.json" <<JSON
{
  "keystores": {
    "server": { "certificate": "$c/server.crt", "private_key": "$c/server.key" },
    "upstream-client": { "certificate": "$c/upstream-client.crt", "private_key": "$c/upstream-client.key" }
  },
  "truststores": { "dev-ca": { "certificates": ["$c/ca.crt"] } },
  "tls_server_profiles": {
    "tls": { "keystore": "server" },
    "mtls": { "keystore": "server", "client_certificate_mode": "require", "truststore": "dev-ca" }
  },
  "tls_client_profiles": { "upstream": { "truststore": "dev-ca", "sni": "upstream.test" } },
  "upstream_certificates": { "*": "upstream-client" },
  "listeners": [
    { "name": "tls", "address": "127.0.0.1:8610", "tls": { "server_profile": "tls" }, "max_connections": 20000 },
    { "name": "mtls", "address": "127.0.0.1:8611", "tls": { "server_profile": "mtls" }, "max_connections": 20000 }
  ],
  "apis": [
    { "name": "small", "listen_path": "/small", "target_url": "https://127.0.0.1:9610", "tls_client_profile": "upstream", "max_body_bytes": 0 },
    { "name": "large", "listen_path": "/large", "target_url": "https://127.0.0.1:9611", "tls_client_profile": "upstream" }
  ],
  "access_log": { "enabled": false },
  "reload": { "watch_files": false }
}
JSON

run_proxy() { # $1 = label, then the command
  local label="$1"; shift
  echo "== $label on CPU 0"
  taskset -c 0 "$@" > "$work/proxy.log" 2>&1 & proxy=$!; pids+=($proxy)
  wait_port 8610; wait_port 8611
}

measure() { # $1 name, then load args; prints a table row
  local name="$1"; shift
  local before after
  before=$(cpu_of "$proxy")
  taskset -c 1 "$load" run "$@" -d "$seconds" --warmup 2 -q --name "$name" --report "$work/$name" > "$work/$name.out"
  after=$(cpu_of "$proxy")
  # requests/s, p50, p99 from the JSON report (python3 is on the machine; no jq needed)
  python3 - "$work/$name.json" "$((after - before))" "$ticks" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
cpu_seconds = int(sys.argv[2]) / int(sys.argv[3])
# the proxy's CPU covers warm-up too: divide by all requests it served in that window (measured + warm-up estimate)
total = r["requests"] * (r["seconds"] + 2) / r["seconds"]
errors = sum(r["errors"].values())
print(f'| {sys.argv[4]} | {r["requests_per_second"]:,.0f} | {r["latency_ms"]["p50"]:.3f} | {r["latency_ms"]["p99"]:.3f} | {cpu_seconds * 1e6 / max(total, 1):.1f} | {errors} |')
PY
}

table() { # $1 = label
  echo "### $1"
  echo
  echo "| scenario | req/s | p50 ms | p99 ms | proxy CPU µs/request | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  measure "get-64B" https://bench.test:8610/small/ -c 64 --connect-to 127.0.0.1:8610 --cacert "$c/ca.crt"
  measure "get-16KiB" https://bench.test:8610/large/ -c 64 --connect-to 127.0.0.1:8610 --cacert "$c/ca.crt"
  measure "post-4KiB" https://bench.test:8610/small/ -c 64 -m POST --body-size 4096 --connect-to 127.0.0.1:8610 --cacert "$c/ca.crt"
  measure "mtls-handshake-full" https://bench.test:8611/small/ -c 4 --new-connection --connect-to 127.0.0.1:8611 --cacert "$c/ca.crt" --cert "$c/client.crt" --key "$c/client.key"
  measure "mtls-handshake-resumed" https://bench.test:8611/small/ -c 4 --new-connection --resume --connect-to 127.0.0.1:8611 --cacert "$c/ca.crt" --cert "$c/client.crt" --key "$c/client.key"
  local idle_before idle_after
  idle_before=$(rss_kib "$proxy")
  taskset -c 1 "$load" hold https://bench.test:8610/small/ -c 2000 --seconds 4 -k --connect-to 127.0.0.1:8610 > "$work/hold.out" 2>&1 &
  local holder=$!
  for _ in $(seq 1 100); do grep -q holding "$work/hold.out" 2>/dev/null && break; sleep 0.2; done
  sleep 1
  idle_after=$(rss_kib "$proxy")
  wait $holder || true
  echo
  echo "Memory per idle TLS connection: $(( (idle_after - idle_before) * 1024 / 2000 )) B ($(cat "$work/hold.out" | head -1); RSS $idle_before → $idle_after KiB)"
  echo
}

{
  echo "# End-to-end, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); proxy on CPU 0; load generator and upstream on CPU 1; ${seconds} s per scenario."
  echo
  run_proxy "FastGate (NativeAOT, inline socket completions)" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$gateway" run --config "$work/fastgate.json" --log-level Warning
  table "FastGate (NativeAOT, inline completions)"
  kill "$proxy"; wait "$proxy" 2>/dev/null || true
  run_proxy "FastGate (NativeAOT, thread-pool completions)" env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 "$gateway" run --config "$work/fastgate.json" --log-level Warning
  table "FastGate (NativeAOT, thread-pool completions)"
  kill "$proxy"; wait "$proxy" 2>/dev/null || true
  for peer in nginx haproxy; do
    command -v "$peer" >/dev/null || echo "$peer: not installed (apt-get install -y $peer); skipped."
  done
  echo "nginx, HAProxy and YARP peers: the equivalent configurations are not written yet (see the README roadmap)."
} | tee "$out"
