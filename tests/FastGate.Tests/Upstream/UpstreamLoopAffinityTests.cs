using System.Net;
using System.Net.Sockets;
using FastGate.Core.Transport;
using FastGate.Core.Upstream;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Upstream;

/// <summary>
/// On the epoll transport an upstream connection belongs to an event loop: it is opened on the loop of the client
/// connection that needs it, and the pool hands a loop its own idle connections first, so a request's response
/// completes on the thread that serves its client.
/// </summary>
public sealed class UpstreamLoopAffinityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="work"/> on <paramref name="loop"/>'s thread, as a client connection's code runs.</summary>
    private static Task<T> OnLoopAsync<T>(EpollLoop loop, Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(_ =>
        {
            try
            {
                result.SetResult(work());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        }, null);
        return result.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task NewConnection_IsOpenedOnTheCallersLoop()
    {
        Assert.True(EpollLoop.Count > 1, "needs a machine with two or more processors");
        using var listening = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listening.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listening.Listen();
        var port = ((IPEndPoint)listening.LocalEndPoint!).Port;
        var pool = new EndpointPool("affinity");

        for (var i = 0; i < EpollLoop.Count; i++)
        {
            var loop = EpollLoop.At(i);
            var endpoint = new UpstreamEndpoint("affinity", "127.0.0.1", port, null, Timeout, pool, transport: TransportKind.Epoll);
            var connecting = await OnLoopAsync(loop, () => UpstreamConnector.ConnectAsync(endpoint, CancellationToken.None).AsTask());
            var rent = await connecting.WaitAsync(Timeout);
            using var connection = Assert.IsType<UpstreamConnection>(rent.Connection);
            using var accepted = await listening.AcceptAsync().WaitAsync(Timeout);
            Assert.Same(loop, Assert.IsType<RawSocketStream>(connection.Stream).Loop);
            Assert.Equal(i + 1, connection.LoopSlot);
        }
    }

    [Fact]
    public async Task IdleConnections_ALoopGetsItsOwnFirst_ThenTheNewestOfAnyOther()
    {
        Assert.True(EpollLoop.Count > 1, "needs a machine with two or more processors");
        var (first, second) = (EpollLoop.At(0), EpollLoop.At(1));
        var pool = new EndpointPool("affinity") { UnprobedReuseWindow = TimeSpan.FromMinutes(1), IdleTimeout = TimeSpan.FromMinutes(10) };
        var peers = new List<Socket>();
        try
        {
            async Task<UpstreamConnection> ReturnedAsync(EpollLoop loop, long idleSince)
            {
                var (socket, peer) = await Loopback.ConnectedPairAsync();
                peers.Add(peer);
                Assert.True(pool.TryReserve(out _));
                var connection = new UpstreamConnection(socket, new NetworkStream(socket, ownsSocket: true), pool, loop);
                pool.Return(connection);
                connection.IdleSince = idleSince;
                return connection;
            }

            var now = Environment.TickCount64;
            var onFirst = await ReturnedAsync(first, now - 2);
            var onSecondOlder = await ReturnedAsync(second, now - 1);
            var onSecondNewest = await ReturnedAsync(second, now);

            // The first loop's own connection, although the second loop's are newer.
            using (var rented = await OnLoopAsync(first, () => pool.TryRentIdle(retryable: true)))
            {
                Assert.Same(onFirst, rented);
            }
            // Its own list empty: the newest idle connection of any loop rather than a new one.
            using (var rented = await OnLoopAsync(first, () => pool.TryRentIdle(retryable: true)))
            {
                Assert.Same(onSecondNewest, rented);
            }
            // Off the loops (a thread-pool thread): the newest of all.
            using (var rented = pool.TryRentIdle(retryable: true))
            {
                Assert.Same(onSecondOlder, rented);
            }
            Assert.Equal(0, pool.IdleCount);
            Assert.Null(pool.TryRentIdle(retryable: true));
        }
        finally
        {
            foreach (var peer in peers)
            {
                peer.Dispose();
            }
        }
    }
}
