using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using FastGate.Core.Transport;
using FastGate.Tests.TestInfrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastGate.Tests.Transport;

/// <summary>Run alone: the tests compare the loops' loads, which other tests' connections would change meanwhile.</summary>
[CollectionDefinition(nameof(EpollLoopPlacement), DisableParallelization = true)]
public sealed class EpollLoopPlacement;

/// <summary>
/// Where the epoll transport's work runs: posted work on its loop's thread, an accepted connection from its first
/// step (the TLS handshake) on the loop it lives on, new connections on the least loaded loop.
/// </summary>
[Collection(nameof(EpollLoopPlacement))]
public sealed class EpollLoopPlacementTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task PostedWork_RunsOnTheLoopsThread_InOrder_AndAFailureDoesNotStopTheRest()
    {
        var loop = EpollLoop.LeastLoaded();
        const int PerThread = 2_000;
        var ran = new ConcurrentQueue<(int Poster, int Sequence, bool OnLoop)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = 4 * PerThread;
        var posters = new Task[4];
        for (var p = 0; p < posters.Length; p++)
        {
            var poster = p;
            posters[p] = Task.Run(() =>
            {
                for (var i = 0; i < PerThread; i++)
                {
                    var sequence = i;
                    if (i == PerThread / 2)
                    {
                        loop.Post(static _ => throw new InvalidOperationException("a failing work item"), null);
                    }
                    loop.Post(_ =>
                    {
                        ran.Enqueue((poster, sequence, EpollLoop.Current == loop));
                        if (Interlocked.Decrement(ref remaining) == 0)
                        {
                            done.SetResult();
                        }
                    }, null);
                }
            });
        }
        await Task.WhenAll(posters).WaitAsync(Timeout);
        await done.Task.WaitAsync(Timeout);

        Assert.Equal(4 * PerThread, ran.Count);
        Assert.All(ran, r => Assert.True(r.OnLoop, "posted work ran off its loop's thread"));
        var next = new int[posters.Length];
        foreach (var (poster, sequence, _) in ran)
        {
            Assert.Equal(next[poster]++, sequence); // each poster's work in the order it was posted
        }
    }

    [Fact]
    public async Task AcceptedConnections_StartOnTheLoopTheyLiveOn()
    {
        Assert.True(EpollLoop.Count > 1, "needs a machine with two or more processors (one loop has no other to hand over to)");
        var handler = new RecordingHandler();
        await using var listener = new SocketListener("placement", new IPEndPoint(IPAddress.Loopback, 0), 1_000, handler,
            NullLogger.Instance, TransportKind.Epoll);
        listener.Start("test");

        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 4 * EpollLoop.Count; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients.Add(client);
                await client.ConnectAsync(listener.LocalEndPoint).WaitAsync(Timeout);
                var greeting = new byte[1];
                Assert.Equal(1, await client.ReceiveAsync(greeting, SocketFlags.None).WaitAsync(Timeout)); // the handler started
            }

            Assert.Equal(clients.Count, handler.Starts.Count);
            Assert.All(handler.Starts, start => Assert.Same(start.StreamLoop, start.StartedOn));
            // Held connections are load: with every loop's load compared, they do not all land on one loop.
            Assert.True(handler.Starts.Select(s => s.StreamLoop).Distinct().Count() > 1, "every connection went to one loop");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        Assert.True(await Eventually.TrueAsync(() => listener.ActiveConnections == 0));
    }

    [Fact]
    public async Task LeastLoaded_CountsHeldDescriptorsAndWorkOnItsWay()
    {
        Assert.True(EpollLoop.Count > 1, "needs a machine with two or more processors");
        var busy = EpollLoop.LeastLoaded();
        var held = new List<(Socket Peer, RawSocketStream Stream)>();
        using var release = new ManualResetEventSlim();
        try
        {
            // Descriptors: hold streams on one loop until it watches more than any other, and it is not chosen.
            while (!HasMostLoad(busy))
            {
                var (client, server) = await Loopback.ConnectedPairAsync();
                held.Add((client, new RawSocketStream(server, busy)));
            }
            Assert.NotSame(busy, EpollLoop.LeastLoaded());

            // Posted work not run yet: a loop whose thread is held up with a queue is not chosen either.
            foreach (var (peer, stream) in held)
            {
                stream.Dispose();
                peer.Dispose();
            }
            held.Clear();
            var blocked = EpollLoop.LeastLoaded();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            blocked.Post(_ =>
            {
                started.SetResult();
                release.Wait(Timeout);
            }, null);
            await started.Task.WaitAsync(Timeout);
            while (!HasMostLoad(blocked))
            {
                blocked.Post(static _ => { }, null);
            }
            Assert.NotSame(blocked, EpollLoop.LeastLoaded());
        }
        finally
        {
            release.Set();
            foreach (var (peer, stream) in held)
            {
                stream.Dispose();
                peer.Dispose();
            }
        }
    }

    private static bool HasMostLoad(EpollLoop loop)
    {
        for (var i = 0; i < EpollLoop.Count; i++)
        {
            var other = EpollLoop.At(i);
            if (other != loop && other.Load >= loop.Load)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Notes where each connection's handler started and on which loop its stream lives, then greets the peer.</summary>
    private sealed class RecordingHandler : IStreamConnectionHandler
    {
        public ConcurrentQueue<(EpollLoop? StartedOn, EpollLoop StreamLoop)> Starts { get; } = new();

        public void Start(Stream network, EndPoint? remote, SocketListener listener)
        {
            Starts.Enqueue((EpollLoop.Current, ((RawSocketStream)network).Loop));
            _ = GreetAndHoldAsync(network, listener);
        }

        private static async Task GreetAndHoldAsync(Stream network, SocketListener listener)
        {
            try
            {
                await using (network)
                {
                    await network.WriteAsync(new byte[] { 1 });
                    _ = await network.ReadAsync(new byte[1]); // until the peer closes
                }
            }
            catch (IOException)
            {
                // the peer reset: the connection ends all the same
            }
            finally
            {
                listener.ConnectionEnded();
            }
        }
    }
}
