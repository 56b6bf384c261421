using FastGate.Core.Configuration;
using FastGate.Core.Infrastructure;

namespace FastGate.Core.Upstream;

/// <summary>
/// Tyk's upstream_certificates, compiled: which client certificate a connection to (host, port) carries.
/// Most specific wins: host:port, host, *.domain:port, *.domain, then "*". Case-insensitive; lookups allocate
/// nothing. Immutable; thread-safe.
/// </summary>
internal sealed class UpstreamCertificateMap<T> where T : class
{
    private readonly HostNameMap<Entry> _hosts;
    private readonly T? _default;

    public UpstreamCertificateMap(IEnumerable<(UpstreamCertificateKey Key, T Value)> entries)
    {
        var byHost = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries)
        {
            if (key.IsDefault)
            {
                _default = value;
                continue;
            }
            if (!byHost.TryGetValue(key.Host, out var entry))
            {
                byHost[key.Host] = entry = new Entry();
            }
            if (key.AnyPort)
            {
                entry.AnyPort = (value, key.ToString());
            }
            else
            {
                (entry.ByPort ??= [])[key.Port] = (value, key.ToString());
            }
        }
        var list = new List<KeyValuePair<string, Entry>>(byHost.Count);
        foreach (var pair in byHost)
        {
            list.Add(pair);
        }
        _hosts = new HostNameMap<Entry>(list);
        Count = byHost.Count + (_default is null ? 0 : 1);
    }

    public static UpstreamCertificateMap<T> Empty { get; } = new([]);

    public int Count { get; }

    /// <param name="matchedKey">The key that matched, as written in the configuration's syntax ("*.a.com:8443").</param>
    public bool TryFind(ReadOnlySpan<char> host, int port, out T value, out string matchedKey)
    {
        if (Lookup(_hosts.FindExact(host), port, out value, out matchedKey)
            || Lookup(_hosts.FindWildcard(host), port, out value, out matchedKey))
        {
            return true;
        }
        value = _default!;
        matchedKey = "*";
        return _default is not null;
    }

    private static bool Lookup(Entry? entry, int port, out T value, out string matchedKey)
    {
        if (entry is not null)
        {
            if (entry.ByPort is not null && entry.ByPort.TryGetValue(port, out var byPort))
            {
                (value, matchedKey) = byPort;
                return true;
            }
            if (entry.AnyPort is { } any)
            {
                (value, matchedKey) = any;
                return true;
            }
        }
        value = null!;
        matchedKey = "";
        return false;
    }

    private sealed class Entry
    {
        public (T Value, string Key)? AnyPort;
        public Dictionary<int, (T Value, string Key)>? ByPort;
    }
}
