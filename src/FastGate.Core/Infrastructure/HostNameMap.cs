namespace FastGate.Core.Infrastructure;

/// <summary>
/// Maps host names to values: exact names first, then one-level wildcards ("*.example.com" matches
/// "a.example.com", not "a.b.example.com" nor "example.com"). Case-insensitive; lookups by span allocate nothing.
/// Immutable after construction; safe for concurrent readers.
/// </summary>
internal sealed class HostNameMap<T> where T : class
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, T> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly Dictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;

    public HostNameMap(IEnumerable<KeyValuePair<string, T>> entries)
    {
        foreach (var (pattern, value) in entries)
        {
            var name = pattern.TrimEnd('.');
            if (HostNames.IsWildcard(name))
            {
                _wildcard[name[2..]] = value;
            }
            else
            {
                _exact[name] = value;
            }
        }
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _exact.Count + _wildcard.Count;

    public T? Find(ReadOnlySpan<char> host) => FindExact(host) ?? FindWildcard(host);

    public T? FindExact(ReadOnlySpan<char> host)
    {
        host = Trim(host);
        return !host.IsEmpty && _exactLookup.TryGetValue(host, out var value) ? value : null;
    }

    /// <summary>The wildcard entry covering <paramref name="host"/> ("*.b.c" for "a.b.c"), ignoring exact entries.</summary>
    public T? FindWildcard(ReadOnlySpan<char> host)
    {
        host = Trim(host);
        var dot = host.IndexOf('.');
        return dot > 0 && _wildcard.Count > 0 && _wildcardLookup.TryGetValue(host[(dot + 1)..], out var value) ? value : null;
    }

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> host) => host.EndsWith('.') ? host[..^1] : host;

    /// <summary>Looks up an ASCII host given as bytes (a Host header or SNI), without allocating.</summary>
    public T? Find(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty || host.Length > 255)
        {
            return null;
        }
        Span<char> chars = stackalloc char[host.Length];
        var status = System.Text.Ascii.ToUtf16(host, chars, out var written);
        return status == System.Buffers.OperationStatus.Done ? Find(chars[..written]) : null;
    }
}
