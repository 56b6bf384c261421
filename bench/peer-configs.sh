# Sourced by bench/e2e.sh and bench/ab.sh: nginx's and HAProxy's configurations from their templates, set up like
# FastGate's (bench/fastgate-bench.json.template), so both scripts measure the same peers.
# Each takes WORK_DIR CERTS_DIR TLS_PORT MTLS_PORT and writes WORK_DIR/nginx.conf or WORK_DIR/haproxy.cfg.
peer_template() { # $1 template, $2 work, $3 certs, $4 TLS port, $5 mTLS port
  sed "s#\${CERTS}#$3#g; s#\${WORK}#$2#g; s#\${TLS_PORT}#$4#; s#\${MTLS_PORT}#$5#" "$1"
}
write_nginx_config() {
  peer_template bench/nginx-bench.conf.template "$@" > "$1/nginx.conf"
}
write_haproxy_config() { # HAProxy reads certificate and key from one file
  cat "$2/server.crt" "$2/server.key" > "$1/server.pem"
  cat "$2/upstream-client.crt" "$2/upstream-client.key" > "$1/upstream-client.pem"
  peer_template bench/haproxy-bench.cfg.template "$@" > "$1/haproxy.cfg"
}
