using System.Globalization;
using System.Text;

namespace FastGate.Core.Observability;

/// <summary>The Prometheus text format (version 0.0.4) of the registry and the status gauges. Built per scrape.</summary>
internal static class PrometheusExposition
{
    public static string Write(MetricsRegistry metrics, GatewayStatus status)
    {
        var text = new StringBuilder(8 * 1024);
        void Help(string name, string type, string help) => text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        void Sample(string name, string labels, double value) =>
            text.Append(name).Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

        Help("fastgate_requests_total", "counter", "Requests by API, method and status class (0xx: no response was sent).");
        foreach (var api in metrics.Apis)
        {
            for (var method = 0; method < MethodLabel.Names.Length; method++)
            {
                for (var statusClass = 0; statusClass < 6; statusClass++)
                {
                    var count = api.Requests(method, statusClass);
                    if (count > 0)
                    {
                        Sample("fastgate_requests_total", $"api=\"{Escape(api.Api)}\",method=\"{MethodLabel.Names[method]}\",status_class=\"{statusClass}xx\"", count);
                    }
                }
            }
        }

        Help("fastgate_request_duration_seconds", "histogram", "Time from a request head to the end of its response, by API.");
        foreach (var api in metrics.Apis)
        {
            long cumulative = 0;
            var label = $"api=\"{Escape(api.Api)}\"";
            for (var i = 0; i < ApiMetrics.Buckets.Length; i++)
            {
                cumulative += api.Bucket(i);
                Sample("fastgate_request_duration_seconds_bucket", $"{label},le=\"{ApiMetrics.Buckets[i].ToString(CultureInfo.InvariantCulture)}\"", cumulative);
            }
            cumulative += api.Bucket(ApiMetrics.Buckets.Length);
            Sample("fastgate_request_duration_seconds_bucket", $"{label},le=\"+Inf\"", cumulative);
            Sample("fastgate_request_duration_seconds_sum", label, api.DurationSeconds);
            Sample("fastgate_request_duration_seconds_count", label, cumulative);
        }

        Help("fastgate_request_bytes_total", "counter", "Request bytes received from clients (heads and bodies), by API.");
        foreach (var api in metrics.Apis)
        {
            Sample("fastgate_request_bytes_total", $"api=\"{Escape(api.Api)}\"", api.BytesIn);
        }
        Help("fastgate_response_bytes_total", "counter", "Response bytes relayed to clients (heads and bodies), by API.");
        foreach (var api in metrics.Apis)
        {
            Sample("fastgate_response_bytes_total", $"api=\"{Escape(api.Api)}\"", api.BytesOut);
        }

        Help("fastgate_downstream_connections_active", "gauge", "Open client connections, by listener.");
        foreach (var listener in status.Listeners)
        {
            Sample("fastgate_downstream_connections_active", $"listener=\"{Escape(listener.Name)}\"", listener.ActiveConnections);
        }
        Help("fastgate_downstream_connections_total", "counter", "Accepted client connections, by listener.");
        Help("fastgate_tls_handshakes_total", "counter", "Completed TLS handshakes, by listener.");
        Help("fastgate_tls_handshake_failures_total", "counter", "Failed TLS handshakes, by listener and reason.");
        foreach (var listener in metrics.Listeners)
        {
            var label = $"listener=\"{Escape(listener.Listener)}\"";
            Sample("fastgate_downstream_connections_total", label, listener.Connections);
            Sample("fastgate_tls_handshakes_total", label, listener.Handshakes);
            foreach (var reason in Enum.GetValues<HandshakeFailureReason>())
            {
                Sample("fastgate_tls_handshake_failures_total", $"{label},reason=\"{Snake(reason.ToString())}\"", listener.HandshakeFailures(reason));
            }
        }

        Help("fastgate_upstream_connections", "gauge", "Upstream connections by upstream and state (idle in the pool, or active).");
        Help("fastgate_upstream_connections_created_total", "counter", "Upstream connections dialled.");
        Help("fastgate_upstream_connections_reused_total", "counter", "Requests that reused a pooled upstream connection.");
        foreach (var pool in status.Pools)
        {
            var label = $"upstream=\"{Escape(pool.Upstream)}\"";
            Sample("fastgate_upstream_connections", $"{label},state=\"idle\"", pool.Idle);
            Sample("fastgate_upstream_connections", $"{label},state=\"active\"", pool.Open - pool.Idle);
            Sample("fastgate_upstream_connections_created_total", label, pool.Created);
            Sample("fastgate_upstream_connections_reused_total", label, pool.Reused);
        }

        Help("fastgate_upstream_errors_total", "counter", "Upstream failures by upstream and kind.");
        foreach (var (upstream, counts) in metrics.UpstreamErrors)
        {
            foreach (var kind in Enum.GetValues<UpstreamErrorKind>())
            {
                Sample("fastgate_upstream_errors_total", $"upstream=\"{Escape(upstream)}\",kind=\"{kind.ToString().ToLowerInvariant()}\"", Interlocked.Read(ref counts[(int)kind]));
            }
        }

        Help("fastgate_certificate_expiry_seconds", "gauge", "Seconds until each certificate in use expires (negative: expired).");
        foreach (var certificate in status.Certificates)
        {
            Sample("fastgate_certificate_expiry_seconds", $"subject=\"{Escape(certificate.Subject)}\",usage=\"{Escape(certificate.Usage)}\"", Math.Round(certificate.DaysLeft * 86400));
        }

        Help("fastgate_config_reloads_total", "counter", "Configuration reloads applied.");
        Sample("fastgate_config_reloads_total", "", status.Reloads);
        Help("fastgate_config_reload_failures_total", "counter", "Configuration reloads rejected (the last good configuration kept serving).");
        Sample("fastgate_config_reload_failures_total", "", status.ReloadFailures);
        Help("fastgate_access_log_dropped_total", "counter", "Access-log lines dropped because the writer fell behind.");
        Sample("fastgate_access_log_dropped_total", "", status.AccessLogDropped);

        // The standard process metrics of Prometheus clients, and the GC's view: RSS minus the GC's committed
        // memory is what native code (OpenSSL's per-connection state) holds.
        using (var process = System.Diagnostics.Process.GetCurrentProcess())
        {
            Help("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
            Sample("process_resident_memory_bytes", "", process.WorkingSet64);
            Help("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
            Sample("process_cpu_seconds_total", "", process.TotalProcessorTime.TotalSeconds);
        }
        var gc = GC.GetGCMemoryInfo();
        Help("dotnet_gc_heap_size_bytes", "gauge", "Bytes of the managed heap after the last garbage collection.");
        Sample("dotnet_gc_heap_size_bytes", "", gc.HeapSizeBytes);
        Help("dotnet_gc_committed_bytes", "gauge", "Memory the garbage collector has committed.");
        Sample("dotnet_gc_committed_bytes", "", gc.TotalCommittedBytes);
        var blocks = Infrastructure.BlockMemoryPool.Connections;
        Help("fastgate_buffer_pool_bytes", "gauge", "Connection buffer memory: held by connections now (rented) or kept for reuse (free).");
        Sample("fastgate_buffer_pool_bytes", "state=\"rented\"", (long)blocks.RentedBlocks * Infrastructure.BlockMemoryPool.BlockSize);
        Sample("fastgate_buffer_pool_bytes", "state=\"free\"", (long)blocks.FreeBlocks * Infrastructure.BlockMemoryPool.BlockSize);
        Help("fastgate_tls_buffers_kept_connections", "gauge", $"Busy TLS connections keeping OpenSSL's record buffers between requests (at most {Tls.TlsBufferRetention.MaxConnections}).");
        Sample("fastgate_tls_buffers_kept_connections", "", Tls.TlsBufferRetention.Kept);
        // The epoll transport's loops: how evenly connections and work spread over them.
        var loops = Transport.EpollLoop.Running;
        if (!loops.IsEmpty)
        {
            Help("fastgate_event_loop_descriptors", "gauge", "Connections and listening sockets each epoll event loop watches.");
            foreach (var loop in loops)
            {
                Sample("fastgate_event_loop_descriptors", $"loop=\"{loop.Index}\"", loop.Descriptors);
            }
            Help("fastgate_event_loop_cpu_seconds_total", "counter", "CPU time of each epoll event loop's thread (its handshakes and requests run on it).");
            foreach (var loop in loops)
            {
                Sample("fastgate_event_loop_cpu_seconds_total", $"loop=\"{loop.Index}\"", loop.CpuTime.TotalSeconds);
            }
        }
        // Allocations on the request path show up here first: a steady-state proxy should barely move these.
        Help("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started.");
        Sample("dotnet_gc_allocated_bytes_total", "", GC.GetTotalAllocatedBytes(precise: false));
        Help("dotnet_gc_collections_total", "counter", "Garbage collections since the process started, by generation.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            Sample("dotnet_gc_collections_total", $"generation=\"{generation}\"", GC.CollectionCount(generation));
        }
        // What the collections cost the proxy: every thread waits while one runs (workstation, non-concurrent GC).
        Help("dotnet_gc_pause_seconds_total", "counter", "Time the process was paused for garbage collection since it started.");
        Sample("dotnet_gc_pause_seconds_total", "", GC.GetTotalPauseDuration().TotalSeconds);
        return text.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Snake(string pascal)
    {
        var text = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
