using System.Net.Sockets;
using FastGate.Core.Upstream;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Upstream;

/// <summary>
/// Which reuses skip the liveness probe, on real loopback sockets whose upstream end has closed: only a retryable
/// request within the unprobed window (capped at half the upstream's own idle limit) takes the connection unprobed.
/// </summary>
public sealed class UnprobedReuseTests
{
    private static async Task<(EndpointPool Pool, UpstreamConnection Connection)> PooledConnectionTheUpstreamClosedAsync(
        TimeSpan window, TimeSpan? upstreamIdleLimit = null, TimeSpan? idleFor = null)
    {
        var (socket, upstream) = await Loopback.ConnectedPairAsync();
        var pool = new EndpointPool("test") { UnprobedReuseWindow = window, IdleTimeout = TimeSpan.FromMinutes(10) };
        Assert.True(pool.TryReserve(out _));
        var connection = new UpstreamConnection(socket, new NetworkStream(socket, ownsSocket: true), pool);
        if (upstreamIdleLimit is { } limit)
        {
            connection.IdleLimit = limit;
        }
        pool.Return(connection);
        if (idleFor is { } idle)
        {
            connection.IdleSince = Environment.TickCount64 - (long)idle.TotalMilliseconds;
        }
        upstream.Shutdown(SocketShutdown.Both);
        upstream.Dispose();
        // The FIN crosses loopback asynchronously: wait (bounded) until the probe would see it.
        Assert.True(await Eventually.TrueAsync(() => !connection.IsHealthyForReuse(), TimeSpan.FromSeconds(5)));
        return (pool, connection);
    }

    [Fact]
    public async Task RetryableRequest_WithinTheWindow_TakesTheConnectionUnprobed()
    {
        var (pool, connection) = await PooledConnectionTheUpstreamClosedAsync(TimeSpan.FromMinutes(1));
        using var rented = pool.TryRentIdle(retryable: true);
        Assert.Same(connection, rented); // no poll: a closed connection is found by the request's retry instead
        Assert.Equal(1, pool.ReusedCount);
    }

    [Fact]
    public async Task RequestThatCannotBeRetried_IsProbed_AndTheClosedConnectionDiscarded()
    {
        var (pool, _) = await PooledConnectionTheUpstreamClosedAsync(TimeSpan.FromMinutes(1));
        Assert.Null(pool.TryRentIdle(retryable: false));
        Assert.Equal(0, pool.OpenCount);
        Assert.Equal(0, pool.IdleCount);
    }

    [Fact]
    public async Task RetryableRequest_PastTheWindow_IsProbed()
    {
        var (pool, _) = await PooledConnectionTheUpstreamClosedAsync(TimeSpan.Zero);
        Assert.Null(pool.TryRentIdle(retryable: true));
        Assert.Equal(0, pool.OpenCount);
    }

    [Theory]
    [InlineData(20, true)]  // idle 20 s of the upstream's 60 s: within half of it, unprobed
    [InlineData(40, false)] // idle 40 s: past half of the upstream's limit (not yet expired), probed
    public async Task UpstreamsKeepAliveTimeout_CapsTheWindowAtHalfOfIt(int idleSeconds, bool unprobed)
    {
        var (pool, connection) = await PooledConnectionTheUpstreamClosedAsync(TimeSpan.FromHours(1),
            upstreamIdleLimit: TimeSpan.FromSeconds(60), idleFor: TimeSpan.FromSeconds(idleSeconds));
        using var rented = pool.TryRentIdle(retryable: true);
        Assert.Equal(unprobed ? connection : null, rented);
    }
}
