using FastGate.Core.Transport;
using System.Collections.Concurrent;

namespace FastGate.Core.Upstream;

/// <summary>
/// All endpoint pools, keyed by pool key, surviving configuration reloads. A timer closes idle connections past
/// their idle timeout. Thread-safe.
/// </summary>
internal sealed class UpstreamConnectionPool : IDisposable
{
    private readonly ConcurrentDictionary<string, EndpointPool> _pools = new(StringComparer.Ordinal);
    private readonly Timer _sweeper;

    public UpstreamConnectionPool(TimeSpan sweepInterval, TransportKind transport = TransportKind.Sockets)
    {
        Transport = transport;
        _sweeper = new Timer(static state => ((UpstreamConnectionPool)state!).CloseExpired(), this, sweepInterval, sweepInterval);
    }

    /// <summary>How new upstream connections use their sockets (the gateway's transport, fixed at start).</summary>
    public TransportKind Transport { get; }

    public EndpointPool GetOrCreate(string key) => _pools.GetOrAdd(key, static k => new EndpointPool(k));

    public IEnumerable<EndpointPool> Pools => _pools.Values;

    /// <summary>
    /// An idle connection (most recently used first) unless <paramref name="forceNew"/>, else a new one within the
    /// pool's maximum; at the maximum, waits up to the pool's wait timeout for a returned connection or a free slot.
    /// <paramref name="retryable"/>: the caller sends the request again on a new connection if a reused one proves
    /// closed, so a recently returned connection is reused without the liveness probe.
    /// </summary>
    public static ValueTask<UpstreamRent> RentAsync(UpstreamEndpoint endpoint, bool forceNew, bool retryable, CancellationToken cancellationToken)
    {
        var pool = endpoint.Pool;
        if (!forceNew && pool.TryRentIdle(retryable) is { } idle)
        {
            return ValueTask.FromResult(new UpstreamRent(idle, true, UpstreamFailure.None, null));
        }
        if (pool.TryReserve(out var waiter))
        {
            return ConnectReservedAsync(endpoint, cancellationToken);
        }
        return WaitAsync(endpoint, waiter!, forceNew, retryable, cancellationToken);
    }

    private static async ValueTask<UpstreamRent> WaitAsync(UpstreamEndpoint endpoint, TaskCompletionSource<UpstreamConnection?> waiter,
        bool forceNew, bool retryable, CancellationToken cancellationToken)
    {
        var pool = endpoint.Pool;
        UpstreamConnection? handed;
        try
        {
            handed = await waiter.Task.WaitAsync(pool.WaitTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            if (waiter.TrySetCanceled(CancellationToken.None))
            {
                if (e is OperationCanceledException)
                {
                    throw;
                }
                return new UpstreamRent(null, false, UpstreamFailure.PoolExhausted,
                    $"{pool.MaxConnections} connections busy for {pool.WaitTimeout.TotalSeconds:0.###} s");
            }
            handed = waiter.Task.Result; // completed just as the wait ended: take what was handed over
        }
        if (handed is null)
        {
            return await ConnectReservedAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        var now = Environment.TickCount64;
        if (forceNew || !pool.FitForReuse(handed, retryable, now))
        {
            // Keep the slot, replace the connection.
            handed.Dispose();
            return await ConnectReservedAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        handed.TlsActive(now);
        pool.CountReuse();
        return new UpstreamRent(handed, true, UpstreamFailure.None, null);
    }

    private static async ValueTask<UpstreamRent> ConnectReservedAsync(UpstreamEndpoint endpoint, CancellationToken cancellationToken)
    {
        UpstreamRent rent;
        try
        {
            rent = await UpstreamConnector.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            endpoint.Pool.ReservationFailed();
            throw;
        }
        if (rent.Connection is null)
        {
            endpoint.Pool.ReservationFailed();
        }
        return rent;
    }

    public void CloseExpired()
    {
        foreach (var pool in _pools.Values)
        {
            pool.CloseIdle(all: false);
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool.CloseIdle(all: true);
        }
    }
}
