# Sourced by bench/hot-methods.sh and bench/static-pgo.sh: the scratch directory, the bench's two mutual-TLS upstreams
# and FastGate's bench config, and the request and handshake mix both scripts profile FastGate with.
# Needs $load (the load generator). Everything on 127.0.0.1; every process in $pids is stopped on exit.

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened"; exit 1; }

# profile_setup FASTGATE-COMMAND...: development certificates made by that FastGate build, the upstreams on CPU 1
# (64 B and 16 KiB bodies), and $work/fastgate.json; $c is the certificate directory.
profile_setup() {
  "$@" certs dev --out "$work/certs" --hosts bench.test,upstream.test,localhost >/dev/null
  c="$work/certs"
  local port body
  for upstream in "9610 64" "9611 16384"; do
    read -r port body <<< "$upstream"
    taskset -c 1 "$load" upstream --listen "127.0.0.1:$port" --body-size "$body" --cert "$c/server.crt" --key "$c/server.key" \
      --client-ca "$c/ca.crt" >/dev/null & pids+=($!)
    wait_port "$port"
  done
  sed "s#\${CERTS}#$c#g" bench/fastgate-bench.json.template > "$work/fastgate.json"
}

# profile_mix SCALE: GET 64 B, POST 4 KiB and GET 16 KiB keep-alive requests, then full and resumed mutual-TLS
# handshakes, each SCALE times its base count, from CPU 1.
profile_mix() {
  local n=$1 tls=(--cacert "$c/ca.crt") mtls=(--cacert "$c/ca.crt" --cert "$c/client.crt" --key "$c/client.key")
  taskset -c 1 "$load" run https://bench.test:8610/small/ -c 8 --connect-to 127.0.0.1:8610 "${tls[@]}" -n $((n * 3000)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8610/small/ -c 8 -m POST --body-size 4096 --connect-to 127.0.0.1:8610 "${tls[@]}" -n $((n * 1500)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8610/large/ -c 8 --connect-to 127.0.0.1:8610 "${tls[@]}" -n $((n * 1500)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8611/small/ -c 2 --new-connection --connect-to 127.0.0.1:8611 "${mtls[@]}" -n $((n * 100)) -d 600 --warmup 0 -q >/dev/null
  taskset -c 1 "$load" run https://bench.test:8611/small/ -c 2 --new-connection --resume --connect-to 127.0.0.1:8611 "${mtls[@]}" -n $((n * 100)) -d 600 --warmup 0 -q >/dev/null
}
