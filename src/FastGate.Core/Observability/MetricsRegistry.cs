using System.Collections.Concurrent;

namespace FastGate.Core.Observability;

/// <summary>
/// The gateway's counters: per API (requests, durations, bytes), per listener (connections, handshakes and their
/// failures), per upstream (errors by kind). Entries are created once per name and survive reloads; recording is
/// lock-free. Thread-safe.
/// </summary>
internal sealed class MetricsRegistry
{
    private readonly ConcurrentDictionary<string, ApiMetrics> _apis = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ListenerMetrics> _listeners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long[]> _upstreamErrors = new(StringComparer.Ordinal);

    public ApiMetrics Api(string name) => _apis.GetOrAdd(name, static n => new ApiMetrics(n));
    public ListenerMetrics Listener(string name) => _listeners.GetOrAdd(name, static n => new ListenerMetrics(n));

    public void UpstreamError(string upstream, UpstreamErrorKind kind) =>
        Interlocked.Increment(ref _upstreamErrors.GetOrAdd(upstream, static _ => new long[Enum.GetValues<UpstreamErrorKind>().Length])[(int)kind]);

    public IEnumerable<ApiMetrics> Apis => _apis.Values;
    public IEnumerable<ListenerMetrics> Listeners => _listeners.Values;
    public IEnumerable<KeyValuePair<string, long[]>> UpstreamErrors => _upstreamErrors;
}
