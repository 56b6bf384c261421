using FastGate.Core.Transport;

namespace FastGate.Core.Upstream;

/// <summary>
/// Connections of one pool key. Idle ones are reused most-recently-used first (the warmest, least likely to have
/// hit the upstream's idle timeout), those on the caller's event loop before any other (epoll transport: the
/// response then completes on the thread that serves the client, as HAProxy's per-thread idle lists and Envoy's
/// per-worker pools keep it); at the maximum, requests wait in line for a returned connection or a freed slot.
/// Thread-safe: a short lock guards the idle lists, the open count and the waiters; sockets are probed and closed
/// outside it.
/// </summary>
internal sealed class EndpointPool(string key)
{
    private readonly Lock _lock = new();
    // Idle connections by event loop (UpstreamConnection.LoopSlot: 0 without one), each oldest first, newest last;
    // grown when a connection of a loop beyond it returns.
    private List<UpstreamConnection>?[] _idle = new List<UpstreamConnection>?[EpollLoop.Count + 1];
    private int _idleCount;
    private readonly Queue<TaskCompletionSource<UpstreamConnection?>> _waiters = new();
    private int _open;
    private long _created;
    private long _reused;

    public string Key { get; } = key;
    public int MaxConnections { get; set; } = 512;
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(4);
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after its last response a connection is reused without the liveness probe, for a request that is
    /// retried on a new connection should this one prove closed (idempotent, no body): the probe is one poll(2) per
    /// request (1–1.5% of FastGate's CPU per small request, bench/ab.sh, 2026-12-02), and an upstream's idle timeout
    /// does not fire within a second of its response. Capped at half the upstream's own Keep-Alive timeout.
    /// </summary>
    public TimeSpan UnprobedReuseWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a pooled connection may sit idle with the TLS buffers it kept while busy (see CloseIdle).</summary>
    public TimeSpan KeptBuffersIdleLimit { get; set; } = TimeSpan.FromSeconds(1);

    public int OpenCount => Volatile.Read(ref _open);
    public int IdleCount { get { lock (_lock) { return _idleCount; } } }
    public long CreatedCount => Interlocked.Read(ref _created);
    public long ReusedCount => Interlocked.Read(ref _reused);

    /// <summary>
    /// The most recently returned connection on the calling thread's event loop, else the most recently returned one
    /// on any, that is still fresh and open; or null. <paramref name="retryable"/>: the request can be sent again on
    /// a new connection, so a connection within <see cref="UnprobedReuseWindow"/> is taken without the probe.
    /// </summary>
    public UpstreamConnection? TryRentIdle(bool retryable)
    {
        var own = UpstreamConnection.SlotOf(EpollLoop.Current);
        while (true)
        {
            UpstreamConnection? candidate;
            lock (_lock)
            {
                if (_idleCount == 0)
                {
                    return null;
                }
                var list = own < _idle.Length && _idle[own] is { Count: > 0 } mine ? mine : NewestElsewhere();
                candidate = list[^1];
                list.RemoveAt(list.Count - 1);
                _idleCount--;
            }
            var now = Environment.TickCount64;
            if (!IsExpired(candidate, now) && FitForReuse(candidate, retryable, now))
            {
                candidate.TlsActive(now);
                Interlocked.Increment(ref _reused);
                return candidate;
            }
            Discard(candidate);
        }
    }

    /// <summary>Under the lock, with at least one idle connection: the list whose newest connection is the newest.</summary>
    private List<UpstreamConnection> NewestElsewhere()
    {
        List<UpstreamConnection>? newest = null;
        foreach (var list in _idle)
        {
            if (list is { Count: > 0 } && (newest is null || list[^1].IdleSince > newest[^1].IdleSince))
            {
                newest = list;
            }
        }
        return newest!;
    }

    /// <summary>
    /// Claims a slot for a new connection (true), or queues a waiter (false) that completes with a returned
    /// connection, or with null when a slot is handed over for a new connection.
    /// </summary>
    public bool TryReserve(out TaskCompletionSource<UpstreamConnection?>? waiter)
    {
        lock (_lock)
        {
            if (_open < MaxConnections)
            {
                _open++;
                waiter = null;
                return true;
            }
            waiter = new TaskCompletionSource<UpstreamConnection?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            return false;
        }
    }

    /// <summary>A reserved slot that produced no connection: hand it to a waiter or free it.</summary>
    public void ReservationFailed() => ReleaseSlot();

    public void Created() => Interlocked.Increment(ref _created);
    public void CountReuse() => Interlocked.Increment(ref _reused);

    public void Return(UpstreamConnection connection)
    {
        var now = Environment.TickCount64;
        if (Elapsed(connection.CreatedAt, now) >= MaxLifetime)
        {
            Discard(connection);
            return;
        }
        connection.IdleSince = now;
        // Idle from here (no I/O in flight, nobody else holds it yet): its TLS record buffers go back to the heap
        // (OpenSSL allocates them again at the next request) unless the connection is busy.
        connection.TlsIdle(now);
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(connection))
                {
                    return;
                }
            }
            if (connection.LoopSlot >= _idle.Length)
            {
                Array.Resize(ref _idle, connection.LoopSlot + 1); // loops started with another count than this pool saw
            }
            (_idle[connection.LoopSlot] ??= []).Add(connection);
            _idleCount++;
        }
    }

    /// <summary>Closes a connection that will not be reused; its slot goes to a waiter or is freed.</summary>
    public void Discard(UpstreamConnection connection)
    {
        ReleaseSlot();
        connection.Dispose();
    }

    private void ReleaseSlot()
    {
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(null))
                {
                    return; // the slot passes to the waiter, which dials a new connection
                }
            }
            _open--;
        }
    }

    /// <summary>
    /// Closes idle connections past their idle limit or lifetime (all of them when <paramref name="all"/>); the others
    /// idle for <see cref="KeptBuffersIdleLimit"/> give back TLS buffers they kept while busy (an idle pooled
    /// connection has nothing in flight, and the lock keeps it from being rented meanwhile).
    /// </summary>
    public int CloseIdle(bool all)
    {
        var now = Environment.TickCount64;
        var quietSince = now - (long)KeptBuffersIdleLimit.TotalMilliseconds;
        List<UpstreamConnection>? closing = null;
        lock (_lock)
        {
            foreach (var idle in _idle)
            {
                for (var i = (idle?.Count ?? 0) - 1; i >= 0; i--)
                {
                    if (all || IsExpired(idle![i], now))
                    {
                        (closing ??= []).Add(idle![i]);
                        idle.RemoveAt(i);
                        _idleCount--;
                        _open--;
                    }
                    else
                    {
                        idle![i].ReleaseTlsBuffersIdleSince(quietSince);
                    }
                }
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

    /// <summary>
    /// Whether an idle connection may carry the next request: unprobed for a retryable request within the unprobed
    /// window, else when the liveness probe finds it open and quiet.
    /// </summary>
    public bool FitForReuse(UpstreamConnection connection, bool retryable, long now) =>
        (retryable && WithinUnprobedWindow(connection, now)) || connection.IsHealthyForReuse();

    /// <summary>Returned recently enough to be reused unprobed by a request that can be retried.</summary>
    private bool WithinUnprobedWindow(UpstreamConnection connection, long now)
    {
        var window = connection.IdleLimit / 2 < UnprobedReuseWindow ? connection.IdleLimit / 2 : UnprobedReuseWindow;
        return Elapsed(connection.IdleSince, now) < window;
    }

    /// <summary>Time between two <see cref="Environment.TickCount64"/> readings: the pool's limits are seconds, its clock the coarse one.</summary>
    private static TimeSpan Elapsed(long since, long now) => TimeSpan.FromMilliseconds(now - since);

    private bool IsExpired(UpstreamConnection connection, long now)
    {
        var idleLimit = connection.IdleLimit < IdleTimeout ? connection.IdleLimit : IdleTimeout;
        return Elapsed(connection.IdleSince, now) >= idleLimit
               || Elapsed(connection.CreatedAt, now) >= MaxLifetime;
    }
}
