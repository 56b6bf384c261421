using System.IO.Pipelines;
using FastGate.Core.Http;
using FastGate.Core.Upstream;

namespace FastGate.Core.Proxy;

/// <summary>
/// One request on its way through DESIGN steps 7–10, carried between its two halves — sending the request
/// (<c>SendRequestAsync</c>) and relaying the response (<c>RelayResponseAsync</c>) — across the wait for the response
/// head, which the connection's own method does: the upstream's answer then resumes that method directly instead of
/// a forwarding method that would resume it in turn (one async level less per request). Part of the exchange state,
/// so an idle connection holds none of it; used by one connection at a time.
/// </summary>
internal sealed class ForwardState
{
    public ProxyApi Api = null!;
    public GatewaySnapshot Snapshot = null!;
    public RequestRewrite Rewrite;
    public HttpMethodKind Method;
    public bool IsHttp10;
    public bool HasBody;
    public bool AnswerContinue;
    public bool ClientKeepAlive;
    public bool Upgrade;

    /// <summary>The end of the request head in the client reader's buffer, consumed once the head is no longer needed.</summary>
    public SequencePosition HeadEnd;
    public bool HeadConsumed;

    /// <summary>A 1xx response went to the client: the final head is still awaited, and the request is not sent again.</summary>
    public bool InformationalRelayed;

    /// <summary>0, or 1 when the request is sent again on a new connection.</summary>
    public int Attempt;
    public UpstreamConnection? Upstream;
    public bool Reused;

    /// <summary>How the wait for the response head ended, the read that holds it, and the transport failure if any.</summary>
    public ResponseHeadStatus Status;
    public ReadResult UpstreamRead;
    public Exception? Failure;

    public void ConsumeHead(PipeReader clientReader)
    {
        if (!HeadConsumed)
        {
            clientReader.AdvanceTo(HeadEnd);
            HeadConsumed = true;
        }
    }

    /// <summary>The upstream connection is not reusable (or the request ended with it still rented): it is closed.</summary>
    public void DiscardUpstream()
    {
        Upstream?.Pool.Discard(Upstream);
        Upstream = null;
    }

    /// <summary>However the request ended: no connection stays rented, the head is consumed, no reference is kept.</summary>
    public void End(PipeReader clientReader)
    {
        DiscardUpstream();
        ConsumeHead(clientReader);
        Api = null!;
        Snapshot = null!;
        Rewrite = default;
        UpstreamRead = default;
        Failure = null;
    }
}
