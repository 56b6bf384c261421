using System.Diagnostics;

namespace FastGate.Core.Upstream;

/// <summary>
/// Idle connections of one pool key, reused most-recently-used first (the warmest connection, the least likely
/// to have hit the upstream's idle timeout). Thread-safe: a short lock guards the idle list and the open count;
/// sockets are probed and closed outside it.
/// </summary>
internal sealed class EndpointPool(string key)
{
    private readonly Lock _lock = new();
    private readonly List<UpstreamConnection> _idle = []; // oldest first, newest last
    private int _open;
    private long _created;
    private long _reused;

    public string Key { get; } = key;
    public int MaxConnections { get; set; } = 512;
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int OpenCount => Volatile.Read(ref _open);
    public int IdleCount { get { lock (_lock) { return _idle.Count; } } }
    public long CreatedCount => Interlocked.Read(ref _created);
    public long ReusedCount => Interlocked.Read(ref _reused);

    /// <summary>The most recently returned connection that is still fresh and open, or null.</summary>
    public UpstreamConnection? TryRentIdle()
    {
        while (true)
        {
            UpstreamConnection? candidate;
            lock (_lock)
            {
                if (_idle.Count == 0)
                {
                    return null;
                }
                candidate = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }
            if (!IsExpired(candidate, Stopwatch.GetTimestamp()) && candidate.IsHealthyForReuse())
            {
                Interlocked.Increment(ref _reused);
                return candidate;
            }
            Discard(candidate);
        }
    }

    /// <summary>Claims a slot for a new connection; false when the pool is at its maximum.</summary>
    public bool TryReserve()
    {
        lock (_lock)
        {
            if (_open >= MaxConnections)
            {
                return false;
            }
            _open++;
            return true;
        }
    }

    public void ReservationFailed()
    {
        lock (_lock)
        {
            _open--;
        }
    }

    public void Created() => Interlocked.Increment(ref _created);

    public void Return(UpstreamConnection connection)
    {
        connection.IdleSinceTimestamp = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _idle.Add(connection);
        }
    }

    /// <summary>Closes a connection that will not be reused and frees its slot.</summary>
    public void Discard(UpstreamConnection connection)
    {
        lock (_lock)
        {
            _open--;
        }
        connection.Dispose();
    }

    /// <summary>Closes idle connections past the idle timeout (all of them when <paramref name="all"/>).</summary>
    public int CloseIdle(bool all)
    {
        var now = Stopwatch.GetTimestamp();
        List<UpstreamConnection>? closing = null;
        lock (_lock)
        {
            var expired = 0;
            while (expired < _idle.Count && (all || IsExpired(_idle[expired], now)))
            {
                expired++;
            }
            if (expired > 0)
            {
                closing = _idle.GetRange(0, expired);
                _idle.RemoveRange(0, expired);
                _open -= expired;
            }
        }
        if (closing is null)
        {
            return 0;
        }
        foreach (var connection in closing)
        {
            connection.Dispose();
        }
        return closing.Count;
    }

    private bool IsExpired(UpstreamConnection connection, long now) =>
        Stopwatch.GetElapsedTime(connection.IdleSinceTimestamp, now) >= IdleTimeout;
}
