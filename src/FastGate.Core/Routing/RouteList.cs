using System.Text;

namespace FastGate.Core.Routing;

/// <summary>
/// The routes of one host group, bucketed by the first path segment of their listen path so a lookup scans only
/// the routes that can match ("/api/v1" lives under "api"), longest listen path first, then the root route.
/// Immutable; thread-safe.
/// </summary>
internal sealed class RouteList<T> where T : class
{
    private readonly Dictionary<string, RouteEntry<T>[]> _bySegment = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RouteEntry<T>[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly RouteEntry<T>? _root;

    public RouteList(List<RouteEntry<T>> entries)
    {
        var buckets = new Dictionary<string, List<RouteEntry<T>>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.ListenPath.Length == 1)
            {
                _root ??= entry;
                continue;
            }
            var segment = Encoding.ASCII.GetString(FirstSegment(entry.ListenPath));
            if (!buckets.TryGetValue(segment, out var bucket))
            {
                buckets[segment] = bucket = [];
            }
            bucket.Add(entry);
        }
        foreach (var (segment, bucket) in buckets)
        {
            var sorted = bucket.ToArray();
            Array.Sort(sorted, static (a, b) => b.ListenPath.Length.CompareTo(a.ListenPath.Length));
            _bySegment[segment] = sorted;
        }
        _lookup = _bySegment.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public T? Match(ReadOnlySpan<byte> path)
    {
        var segment = FirstSegment(path);
        if (!segment.IsEmpty && segment.Length <= 256 && _bySegment.Count > 0)
        {
            Span<char> chars = stackalloc char[segment.Length];
            if (Ascii.ToUtf16(segment, chars, out var written) == System.Buffers.OperationStatus.Done
                && _lookup.TryGetValue(chars[..written], out var bucket))
            {
                foreach (var route in bucket)
                {
                    if (route.Matches(path))
                    {
                        return route.Api;
                    }
                }
            }
        }
        return _root?.Api;
    }

    /// <summary>"/api/v1/x" → "api"; "/" → "".</summary>
    private static ReadOnlySpan<byte> FirstSegment(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty || path[0] != (byte)'/')
        {
            return default;
        }
        var rest = path[1..];
        var slash = rest.IndexOf((byte)'/');
        return slash < 0 ? rest : rest[..slash];
    }
}
