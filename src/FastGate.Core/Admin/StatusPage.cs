namespace FastGate.Core.Admin;

/// <summary>The status page: one self-contained HTML document (no external assets) that polls /status.json.</summary>
internal static class StatusPage
{
    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>FastGate status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; background: #f6f7f9; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 24px 0 8px; }
  .meta { color: #5b6473; }
  .cards { display: flex; gap: 12px; margin-top: 16px; }
  .card { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
  .card b { display: block; font-size: 22px; }
  table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #dde1e7; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceff3; vertical-align: top; }
  th { background: #eef1f5; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.red td { background: #fde8e8; color: #9b1c1c; font-weight: 600; }
  tr.amber td { background: #fff6e0; }
  .ok { color: #0a7a36; } .bad { color: #b42318; }
</style>
</head>
<body>
<h1>FastGate</h1>
<div class="meta" id="meta">loading…</div>
<div class="cards">
  <div class="card">Requests/s<b id="rate">–</b></div>
  <div class="card">Errors/s (5xx, aborted)<b id="errors">–</b></div>
  <div class="card">Open connections<b id="conns">–</b></div>
  <div class="card">Reloads (failed)<b id="reloads">–</b></div>
</div>
<h2>Listeners</h2>
<table><thead><tr><th>Name</th><th>Address</th><th>TLS</th><th>Open</th><th>Accepted</th><th>Handshakes</th></tr></thead><tbody id="listeners"></tbody></table>
<h2>APIs and upstreams</h2>
<table><thead><tr><th>API</th><th>Hosts</th><th>Listen path</th><th>Target URL</th><th>Auth</th><th>Requests</th><th>Errors</th></tr></thead><tbody id="apis"></tbody></table>
<h2>Upstream pools</h2>
<table><thead><tr><th>Upstream</th><th>Open</th><th>Idle</th><th>Created</th><th>Reused</th></tr></thead><tbody id="pools"></tbody></table>
<h2>Certificates</h2>
<table><thead><tr><th>Days left</th><th>Status</th><th>Subject</th><th>SANs</th><th>Issuer</th><th>Used as</th></tr></thead><tbody id="certs"></tbody></table>
<script>
"use strict";
let previous = null;
const esc = s => String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const rows = (id, items, cells, cls) => {
  document.getElementById(id).innerHTML = items.map(i => `<tr class="${cls ? cls(i) : ""}">${cells(i).map(c => `<td${typeof c === "number" ? ' class="num"' : ""}>${esc(c)}</td>`).join("")}</tr>`).join("");
};
async function refresh() {
  try {
    const response = await fetch("/status.json", { cache: "no-store" });
    const s = await response.json();
    const now = Date.now();
    const requests = s.apis.reduce((n, a) => n + a.requests, 0);
    const errors = s.apis.reduce((n, a) => n + a.errors, 0);
    if (previous) {
      const seconds = (now - previous.time) / 1000;
      document.getElementById("rate").textContent = ((requests - previous.requests) / seconds).toFixed(1);
      document.getElementById("errors").textContent = ((errors - previous.errors) / seconds).toFixed(1);
    }
    previous = { time: now, requests, errors };
    document.getElementById("meta").innerHTML = `${s.ready ? '<span class="ok">ready</span>' : '<span class="bad">not ready</span>'} · config ${esc(s.config_file)} · up since ${esc(s.started_at)} · updated ${new Date().toLocaleTimeString()}`;
    document.getElementById("conns").textContent = s.listeners.reduce((n, l) => n + l.active_connections, 0);
    document.getElementById("reloads").textContent = `${s.reloads} (${s.reload_failures})`;
    rows("listeners", s.listeners, l => [l.name, l.address, l.tls ? "yes" : "no", l.active_connections, l.connections, l.handshakes]);
    rows("apis", s.apis, a => [a.name, a.hosts, a.listen_path, a.target_url, a.auth, a.requests, a.errors]);
    rows("pools", s.pools, p => [p.upstream, p.open, p.idle, p.created, p.reused]);
    rows("certs", [...s.certificates].sort((a, b) => a.days_left - b.days_left),
      c => [c.days_left.toFixed(1), c.status, c.subject, c.sans, c.issuer, c.usage],
      c => c.days_left < 7 ? "red" : c.days_left < 30 ? "amber" : "");
  } catch (e) {
    document.getElementById("meta").innerHTML = `<span class="bad">cannot reach the gateway: ${esc(e)}</span>`;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
""";
}
