using System.Net.Sockets;
using FastGate.Core.Upstream;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Upstream;

/// <summary>
/// The pool's reuse check (one poll per reuse) on real loopback sockets: a quiet connection is healthy; the
/// upstream's FIN, its RST, or bytes nobody asked for make it unfit.
/// </summary>
public sealed class UpstreamConnectionHealthTests
{
    public enum PeerAction { Nothing, Close, Reset, UnsolicitedBytes }

    [Theory]
    [InlineData(PeerAction.Nothing, true)]
    [InlineData(PeerAction.Close, false)]
    [InlineData(PeerAction.Reset, false)]
    [InlineData(PeerAction.UnsolicitedBytes, false)]
    public async Task IsHealthyForReuse_SeesWhatTheUpstreamDid(PeerAction action, bool healthy)
    {
        var (socket, upstream) = await Loopback.ConnectedPairAsync();
        using var upstreamOwner = upstream;
        using var connection = new UpstreamConnection(socket, new NetworkStream(socket, ownsSocket: true), new EndpointPool("test"));

        switch (action)
        {
            case PeerAction.Close:
                upstream.Shutdown(SocketShutdown.Both);
                upstream.Close();
                break;
            case PeerAction.Reset:
                upstream.LingerState = new LingerOption(true, 0); // close with RST
                upstream.Close();
                break;
            case PeerAction.UnsolicitedBytes:
                await upstream.SendAsync("HTTP/1.1 408 Request Timeout\r\n\r\n"u8.ToArray());
                break;
        }

        if (healthy)
        {
            Assert.True(connection.IsHealthyForReuse());
        }
        else
        {
            // The FIN/RST/bytes cross loopback asynchronously: wait (bounded) until the check sees them.
            Assert.True(await Eventually.TrueAsync(() => !connection.IsHealthyForReuse(), TimeSpan.FromSeconds(5)), $"{action} not detected");
        }
    }
}
