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

    public UpstreamConnectionPool(TimeSpan sweepInterval)
    {
        _sweeper = new Timer(static state => ((UpstreamConnectionPool)state!).CloseExpired(), this, sweepInterval, sweepInterval);
    }

    public EndpointPool GetOrCreate(string key) => _pools.GetOrAdd(key, static k => new EndpointPool(k));

    public IEnumerable<EndpointPool> Pools => _pools.Values;

    /// <summary>An idle connection (most recently used first) unless <paramref name="forceNew"/>, else a new one within the pool's maximum.</summary>
    public static ValueTask<UpstreamRent> RentAsync(UpstreamEndpoint endpoint, bool forceNew, CancellationToken cancellationToken)
    {
        var pool = endpoint.Pool;
        if (!forceNew && pool.TryRentIdle() is { } idle)
        {
            return ValueTask.FromResult(new UpstreamRent(idle, true, UpstreamFailure.None, null));
        }
        if (!pool.TryReserve())
        {
            return ValueTask.FromResult(new UpstreamRent(null, false, UpstreamFailure.PoolExhausted, $"{pool.MaxConnections} connections open"));
        }
        return ConnectReservedAsync(endpoint, cancellationToken);
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
