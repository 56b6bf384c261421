using System.Buffers;
using System.Runtime.CompilerServices;
using System.ComponentModel;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FastGate.Core.Auth;
using FastGate.Core.Http;
using FastGate.Core.Infrastructure;
using FastGate.Core.Observability;
using FastGate.Core.Routing;
using FastGate.Core.Tls;
using FastGate.Core.Transport;
using FastGate.Core.Upstream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace FastGate.Core.Proxy;

/// <summary>
/// The per-connection proxy loop (DESIGN "one request" steps 3–10): TLS handshake with SNI-selected options, then
/// read a request head, route it, forward head and body to a pooled upstream connection, relay the response, and
/// go again while both sides keep the connection alive.
/// </summary>
internal sealed class ProxyConnectionHandler : IStreamConnectionHandler, IDisposable
{
    private static readonly byte[] Https = "https"u8.ToArray();
    private static readonly byte[] Http = "http"u8.ToArray();

    private readonly ObjectPool<ClientSession> _sessions =
        new DefaultObjectPoolProvider { MaximumRetained = 1024 }.Create<ClientSession>();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ClientSession, byte> _active = new();
    private readonly GatewayState state;
    private readonly ILogger logger;
    private readonly Thread _heartbeat;
    private readonly ManualResetEvent _disposed = new(false);
    private volatile bool _stopping;

    private readonly MetricsRegistry _metrics;
    private readonly AccessLogWriter? _accessLog;
    private readonly bool _combinedFormat;

    public ProxyConnectionHandler(GatewayState state, ILogger logger, MetricsRegistry metrics, AccessLogWriter? accessLog, bool combinedFormat)
    {
        this.state = state;
        this.logger = logger;
        _metrics = metrics;
        _accessLog = accessLog;
        _combinedFormat = combinedFormat;
        // A thread of its own, not a Timer: a timer callback ten times a second woke a thread-pool worker that then
        // spun (sched_yield) before sleeping again, ~1,200 yields a second under load, on the proxy's core.
        _heartbeat = new Thread(static self => ((ProxyConnectionHandler)self!).RunHeartbeat()) { IsBackground = true, Name = "FastGate heartbeat" };
        _heartbeat.UnsafeStart(this);
    }

    /// <summary>How often read deadlines are checked: the resolution of every timeout.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(100);

    private void RunHeartbeat()
    {
        while (!_disposed.WaitOne(HeartbeatInterval))
        {
            CheckDeadlines();
        }
        // The event is not disposed: Dispose may be called again, and one event per gateway is nothing to reclaim early.
    }

    private void CheckDeadlines()
    {
        var now = Environment.TickCount64;
        // The dictionary itself, not .Keys: Keys copies every session into a new list, ten times a second.
        foreach (var (session, _) in _active)
        {
            session.CheckDeadline(now);
        }
    }

    public void Dispose() => _disposed.Set();

    /// <summary>Open client connections, and how many of them hold exchange state (an idle one must hold none).</summary>
    internal (int Connections, int HoldingExchange) CountSessions()
    {
        int connections = 0, holding = 0;
        foreach (var (session, _) in _active)
        {
            connections++;
            holding += session.HoldsExchange ? 1 : 0;
        }
        return (connections, holding);
    }

    /// <summary>Shutdown: idle keep-alive connections close now; busy ones close after their current response.</summary>
    public void CloseIdleConnections()
    {
        _stopping = true;
        foreach (var (session, _) in _active)
        {
            session.CancelIfIdle();
        }
    }

    /// <summary>
    /// One client connection over any transport stream, which it owns and disposes: in-memory pipes in the
    /// whole-exchange benchmark (bench/FastGate.Benchmarks), so FastGate's own cost is measured without the kernel.
    /// Not counted by the listener (see <see cref="Start"/>).
    /// </summary>
    public Task HandleStreamAsync(Stream network, System.Net.EndPoint? remote, SocketListener listener) =>
        RunConnectionAsync(network, remote, listener, counted: false);

    /// <summary>
    /// A connection the listener admitted and counted (a socket's SocketStream, or the epoll transport's
    /// RawSocketStream): run to its end, failures logged and the end reported to the listener by the connection
    /// method itself, so the listener keeps no method of its own per connection (128 B less per idle connection).
    /// </summary>
    public void Start(Stream network, System.Net.EndPoint? remote, SocketListener listener) =>
        _ = RunConnectionAsync(network, remote, listener, counted: true);

    private async Task RunConnectionAsync(Stream network, System.Net.EndPoint? remote, SocketListener listener, bool counted)
    {
        try
        {
            await using var ownedNetwork = network.ConfigureAwait(false);
            if (!state.Current.Listeners.TryGetValue(listener.Name, out var listenerSnapshot))
            {
                return; // the listener was removed by a reload after this connection was accepted
            }
            var listenerMetrics = _metrics.Listener(listener.Name);
            listenerMetrics.ConnectionAccepted();
            var session = _sessions.Get();
            _active.TryAdd(session, 0); // from here the heartbeat watches the session's deadlines, the handshake's first
            ServerSslStream? ssl = null;
            try
            {
                if (listenerSnapshot.Tls is { } selector)
                {
                    ssl = new ServerSslStream(network);
                    var handshakeTimeout = state.Current.HandshakeTimeout;
                    session.ArmHandshake(network, handshakeTimeout);
                    var authenticated = await HandshakeAsync(ssl, selector, session, handshakeTimeout, listener.Name, remote, listenerMetrics).ConfigureAwait(false);
                    session.Disarm();
                    if (!authenticated)
                    {
                        return;
                    }
                }
                session.Begin(ssl ?? network, ssl, listenerSnapshot.Tls, remote);

                // Steps 5-11 for each request until the connection ends. Each request uses the snapshot current when it
                // starts (so a reload reaches long-lived keep-alive connections) and finishes on it; the connection's TLS
                // facts stay those of its handshake. One async method for the connection's whole life (the request loop
                // used to be a second one): its state is what an idle connection keeps.
                var reader = session.ClientReader;
                var writer = session.ClientWriter;
                var waitedBefore = false; // the first wait for a request follows the handshake, not a response
                while (true)
                {
                    var snapshot = state.Current;

                    // Step 5: read and parse a request head, within the keep-alive timeout until its first byte, then the head timeout.
                    session.AwaitRequest(reader, snapshot.KeepAliveTimeout);
                    if (_stopping)
                    {
                        return;
                    }
                    var waitingForFirstByte = true;
                    ReadResult read;
                    while (true)
                    {
                        try
                        {
                            if (!(waitingForFirstByte && reader.TryRead(out read)))
                            {
                                if (waitingForFirstByte)
                                {
                                    // Nothing buffered and no I/O in flight: the connection is idle until the client speaks.
                                    session.EndExchange();
                                    session.TlsIdle(afterResponse: waitedBefore);
                                    waitedBefore = true;
                                }
                                read = await reader.ReadAsync().ConfigureAwait(false);
                            }
                        }
                        catch (Exception e) when (BodyRelay.IsTransportError(e))
                        {
                            return;
                        }
                        var buffer = read.Buffer;
                        if (read.IsCanceled)
                        {
                            if (!buffer.IsEmpty && session.TimedOut)
                            {
                                await WriteErrorAsync(writer, 408, close: true).ConfigureAwait(false);
                            }
                            return;
                        }
                        session.BeginExchange();
                        if (HttpRequestParser.TryParse(buffer, session.Request, snapshot.ParserLimits, out var rejection))
                        {
                            session.RequestReceived();
                            break;
                        }
                        if (rejection != HttpRejection.None)
                        {
                            session.Disarm();
                            var status = HttpRejectionStatus.ToStatusCode(rejection);
                            ProxyLog.RequestRejected(logger, session.RemoteAddress, rejection, status);
                            reader.AdvanceTo(buffer.End);
                            await WriteErrorAsync(writer, status, close: true).ConfigureAwait(false);
                            var rejected = session.Record;
                            rejected.Clear();
                            rejected.Begin(System.Diagnostics.Stopwatch.GetTimestamp(), buffer.Length);
                            rejected.Status = status;
                            rejected.ErrorCode = "DPE"; // downstream protocol error, as Envoy calls it
                            Complete(session, rejected);
                            return;
                        }
                        if (read.IsCompleted)
                        {
                            if (!buffer.IsEmpty)
                            {
                                session.Disarm();
                                await WriteErrorAsync(writer, 400, close: true).ConfigureAwait(false);
                            }
                            return;
                        }
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        if (waitingForFirstByte && !buffer.IsEmpty)
                        {
                            waitingForFirstByte = false;
                            session.RequestArriving(reader, snapshot.RequestHeadTimeout);
                        }
                    }
                    snapshot = state.Current; // the request starts now: it runs on the configuration current at this moment
                    var request = session.Request;
                    var record = session.Record;
                    record.Begin(System.Diagnostics.Stopwatch.GetTimestamp(), request.ConsumedLength);
                    record.Capture(request, forAccessLog: _accessLog is not null);

                    var closeAfterRefusal = request.HasBody || !request.KeepAlive || listener.IsStopping || _stopping;

                    // A Host with another TLS policy than the handshake's server name is never routed (mTLS bypass).
                    if (listenerSnapshot.Tls is { HasSeveralPolicies: true } policies
                        && policies.SelectForHost(RouteTable<ProxyApi>.StripPort(request.Authority)) != session.Profile)
                    {
                        ProxyLog.MisdirectedRequest(logger, listener.Name, session.RemoteAddress, session.Profile?.Name);
                        if (!await RefuseAsync(session, read, 421, closeAfterRefusal).ConfigureAwait(false))
                        {
                            return;
                        }
                        continue;
                    }

                    // Step 6: route by (host, path).
                    var api = snapshot.Routes.Match(request.Authority, request.Path);
                    if (api is null)
                    {
                        if (!await RefuseAsync(session, read, 404, closeAfterRefusal).ConfigureAwait(false))
                        {
                            return;
                        }
                        continue;
                    }

                    // Step 6 continued: the API's authentication.
                    record.Api = api;
                    var identity = session.Identity;
                    var dropCertificateHeader = false;
                    if (api.Auth.Type == AuthType.TlsCert)
                    {
                        var outcome = Authenticate(session, snapshot, api, ref identity, ref dropCertificateHeader);
                        if (outcome != AuthOutcome.Allowed)
                        {
                            ProxyLog.AuthenticationRefused(logger, api.Name, session.RemoteAddress, outcome, identity?.Subject);
                            reader.AdvanceTo(read.Buffer.GetPosition(request.ConsumedLength));
                            writer.Write(AuthResponses.For(outcome, closeAfterRefusal));
                            var written = await BodyRelay.FlushAsync(writer).ConfigureAwait(false);
                            Complete(session, record, outcome is AuthOutcome.NotSubscribed or AuthOutcome.MissingClientId or AuthOutcome.WrongClientId ? 403 : 401);
                            if (!written || closeAfterRefusal)
                            {
                                return;
                            }
                            continue;
                        }
                    }
                    else if (api.Auth.CertificateHeader is not null)
                    {
                        dropCertificateHeader = true;
                    }

                    if (request.Framing == BodyFraming.ContentLength && request.ContentLength > api.MaxBodyBytes)
                    {
                        reader.AdvanceTo(read.Buffer.GetPosition(request.ConsumedLength));
                        await WriteErrorAsync(writer, 413, close: true).ConfigureAwait(false);
                        Complete(session, record, 413);
                        return; // the body is not read: framing is in doubt for anything after it
                    }

                    // Steps 7–10. The wait for the response head is here, between sending and relaying (ForwardState): the
                    // upstream's answer resumes this method directly, not a forwarding method that would resume it in turn.
                    var forward = session.Exchange.Forward;
                    BeginForward(forward, session, snapshot, api, read, listener.IsStopping || _stopping, identity, dropCertificateHeader);
                    ForwardStep step;
                    try
                    {
                        step = await SendRequestAsync(session, forward).ConfigureAwait(false);
                        while (step == ForwardStep.AwaitResponse)
                        {
                            // Step 9: a response head (the final one, or a 1xx before it), within the upstream response timeout.
                            session.Arm(forward.Upstream!.Reader, api.UpstreamTimeout);
                            do
                            {
                                try
                                {
                                    forward.UpstreamRead = await forward.Upstream.Reader.ReadAsync().ConfigureAwait(false);
                                }
                                catch (Exception e) when (BodyRelay.IsTransportError(e))
                                {
                                    (forward.Status, forward.UpstreamRead, forward.Failure) = (ResponseHeadStatus.ClosedBeforeResponse, default, e);
                                    break;
                                }
                            }
                            while (!TryTakeResponseHead(forward.Upstream.Reader, forward.UpstreamRead, session.Response, forward.Method, snapshot, out forward.Status));
                            session.Disarm();
                            step = await RelayResponseAsync(session, forward).ConfigureAwait(false);
                            if (step == ForwardStep.Retry)
                            {
                                step = await SendRequestAsync(session, forward).ConfigureAwait(false);
                            }
                        }
                    }
                    finally
                    {
                        forward.End(reader);
                    }
                    Complete(session, record);
                    if (step != ForwardStep.KeepOpen)
                    {
                        return;
                    }
                }
            }
            finally
            {
                _active.TryRemove(session, out _);
                session.End();
                _sessions.Return(session);
                if (ssl is not null)
                {
                    if (ssl.IsAuthenticated)
                    {
                        await SendCloseNotifyAsync(ssl).ConfigureAwait(false);
                    }
                    await ssl.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (counted)
        {
            listener.ConnectionFailed(e);
        }
        finally
        {
            if (counted)
            {
                listener.ConnectionEnded();
            }
        }
    }

    /// <summary>
    /// Step 3: the TLS handshake, which the session's handshake deadline aborts; false (logged and counted) when it fails.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> HandshakeAsync(ServerSslStream ssl, ServerTlsSelector selector, ClientSession session, TimeSpan timeout,
        string listenerName, System.Net.EndPoint? remote, ListenerMetrics listenerMetrics)
    {
        try
        {
            await ssl.AuthenticateAsServerAsync(ServerTlsSelector.Callback, selector, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException or Win32Exception)
        {
            var timedOut = session.TimedOut;
            listenerMetrics.HandshakeFailed(timedOut ? HandshakeFailureReason.Timeout
                : ssl.ClientCertificateFailure is { } failure
                    ? failure.StartsWith("no client certificate", StringComparison.Ordinal) ? HandshakeFailureReason.NoClientCertificate : HandshakeFailureReason.ClientCertificateRefused
                    : HandshakeFailureReason.Protocol);
            var reason = ssl.ClientCertificateFailure
                         ?? (timedOut ? $"no handshake within {timeout.TotalSeconds:0.#} s" : e.Message);
            ProxyLog.HandshakeFailed(logger, listenerName, remote, reason);
            return false;
        }
        listenerMetrics.HandshakeCompleted();
        return true;
    }

    /// <summary>A TLS close_notify before the TCP close, so clients (OpenSSL 3 in particular) see a clean end, not a truncation.</summary>
    private static async ValueTask SendCloseNotifyAsync(SslStream ssl)
    {
        try
        {
            await ssl.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (BodyRelay.IsTransportError(e) || e is InvalidOperationException)
        {
            // the peer is gone already
        }
    }

    /// <summary>Answers a parsed request with an error (its head consumed); true when the connection goes on to its next request.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RefuseAsync(ClientSession session, ReadResult read, int status, bool close)
    {
        session.ClientReader.AdvanceTo(read.Buffer.GetPosition(session.Request.ConsumedLength));
        var written = await WriteErrorAsync(session.ClientWriter, status, close).ConfigureAwait(false);
        Complete(session, session.Record, status);
        return written && !close;
    }

    /// <summary>
    /// tls-cert application authentication. The identity is the connection's validated certificate, or the one a
    /// trusted load balancer put in the API's certificate header; that header from anyone else is ignored and removed.
    /// </summary>
    private static AuthOutcome Authenticate(ClientSession session, GatewaySnapshot snapshot, ProxyApi api, ref ClientIdentity? identity, ref bool dropCertificateHeader)
    {
        var request = session.Request;
        var policy = api.Auth;
        if (policy.CertificateHeader is { } headerName && request.TryGetHeader(headerName, out var headerValue))
        {
            if (policy.IsTrustedSource(session.RemoteAddress))
            {
                identity = session.IdentityFromHeader(headerValue);
                if (identity is null)
                {
                    return AuthOutcome.InvalidCertificateHeader;
                }
            }
            else
            {
                dropCertificateHeader = true;
            }
        }
        var clientIdPresent = false;
        ReadOnlySpan<byte> clientId = default;
        if (policy.ClientIdHeader is { } clientIdHeader)
        {
            clientIdPresent = request.TryGetHeader(clientIdHeader, out clientId);
        }
        var outcome = TlsCertAuthenticator.Authenticate(policy, api.Name, identity, clientId, clientIdPresent, snapshot.Applications, out var application);
        session.Application = application;
        return outcome;
    }

    /// <summary>What steps 7–10 need to know about one request, decided before anything is sent.</summary>
    private static void BeginForward(ForwardState forward, ClientSession session, GatewaySnapshot snapshot, ProxyApi api, ReadResult clientRead,
        bool stopping, ClientIdentity? identity, bool dropCertificateHeader)
    {
        var request = session.Request;
        forward.Api = api;
        forward.Snapshot = snapshot;
        forward.Method = request.Method;
        forward.IsHttp10 = request.Version == HttpVersionKind.Http10;
        forward.HasBody = request.HasBody;
        forward.AnswerContinue = request.ExpectContinue && forward.HasBody && !forward.IsHttp10;
        forward.ClientKeepAlive = request.KeepAlive && !stopping;
        forward.Upgrade = request.IsUpgradeRequest && api.Websockets;
        forward.HeadEnd = clientRead.Buffer.GetPosition(request.ConsumedLength);
        forward.HeadConsumed = false;
        forward.Attempt = 0;
        forward.Upstream = null;
        forward.Reused = false;
        forward.Status = default;
        forward.Failure = null;
        forward.InformationalRelayed = false;
        forward.Rewrite = new RequestRewrite
        {
            StripPrefixLength = api.StripPrefixLength,
            TargetBasePath = api.TargetBasePath,
            UpstreamHost = api.UpstreamHost,
            ClientAddress = session.ClientAddress,
            ClientScheme = session.IsTls ? Https : Http,
            DropExpect = forward.AnswerContinue,
            Upgrade = forward.Upgrade,
            ForwardedClientCert = api.ForwardClientCertificate && identity is not null ? identity.ForwardedClientCertValue : default,
            DropHeader = dropCertificateHeader ? api.Auth.CertificateHeader : default,
            RequestId = session.Record.RequestIdGenerated ? session.Record.RequestId : default,
        };
    }

    /// <summary>
    /// Steps 7–8: rent an upstream connection, send the rewritten head and the body. AwaitResponse when the request is
    /// with the upstream; otherwise the request is over (answered or failed) and the step says whether the client stays.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardStep> SendRequestAsync(ClientSession session, ForwardState forward)
    {
        var request = session.Request;
        var reader = session.ClientReader;
        var writer = session.ClientWriter;
        var api = forward.Api;
        var snapshot = forward.Snapshot;
        var hasBody = forward.HasBody;
        var record = session.Record;
        var endpoint = api.Endpoint;
        for (; ; forward.Attempt++)
        {
            // Step 7: rent a connection (most recently used idle one, or a new one).
            record.UpstreamStart = System.Diagnostics.Stopwatch.GetTimestamp();
            // A request the keep-alive race would retry skips the pool's liveness probe on a recently used connection.
            var rent = await UpstreamConnectionPool.RentAsync(endpoint, forceNew: forward.Attempt > 0, retryable: !hasBody && IsIdempotent(forward.Method),
                CancellationToken.None).ConfigureAwait(false);
            record.Reused = rent.Reused;
            record.UpstreamConnected = rent.Reused ? record.UpstreamStart : rent.ConnectedTimestamp;
            record.UpstreamTlsDone = rent.TlsDoneTimestamp;
            if (rent.Connection is null)
            {
                var error = rent.Failure switch
                {
                    UpstreamFailure.PoolExhausted => ProxyError.PoolOverflow,
                    UpstreamFailure.TlsFailed => ProxyError.UpstreamTlsFailure,
                    _ => ProxyError.UpstreamConnectFailure,
                };
                ProxyLog.UpstreamFailed(logger, api.Name, endpoint.Key, ProxyErrorCodes.ToCode(error), rent.Detail);
                forward.ConsumeHead(reader);
                return await FailBeforeResponseAsync(session, snapshot, endpoint, forward.ClientKeepAlive, error, bodyPending: hasBody, rent.Detail).ConfigureAwait(false);
            }
            var upstream = forward.Upstream = rent.Connection;
            forward.Reused = rent.Reused;

            // Step 8: the rewritten head from the arrived bytes, then the body by its framing.
            RequestHeadWriter.Write(upstream.Writer, request, forward.Rewrite);
            if (hasBody)
            {
                forward.ConsumeHead(reader);
            }
            // With a body, the head leaves with the body's first bytes (one write, one TLS record); the 100 Continue
            // answer does not depend on the upstream. Without one, flush now: a failed write is safe to retry.
            if (!hasBody && !await BodyRelay.FlushAsync(upstream.Writer).ConfigureAwait(false))
            {
                // Nothing reached the upstream: safe to retry whatever the method.
                if (rent.Reused && forward.Attempt == 0)
                {
                    ProxyLog.RetryingOnNewConnection(logger, api.Name, endpoint.Key);
                    forward.DiscardUpstream();
                    continue;
                }
                ProxyLog.UpstreamFailed(logger, api.Name, endpoint.Key, "UF", "write failed");
                forward.ConsumeHead(reader);
                return await FailBeforeResponseAsync(session, snapshot, endpoint, forward.ClientKeepAlive, ProxyError.UpstreamConnectFailure, bodyPending: false, null).ConfigureAwait(false);
            }
            if (!hasBody)
            {
                return ForwardStep.AwaitResponse;
            }
            if (forward.AnswerContinue)
            {
                writer.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
                if (!await BodyRelay.FlushAsync(writer).ConfigureAwait(false))
                {
                    return ForwardStep.Close;
                }
            }
            var sent = request.Framing == BodyFraming.Chunked
                ? await BodyRelay.CopyChunkedAsync(reader, upstream.Writer, dechunk: false, api.MaxBodyBytes, session, snapshot.RequestBodyTimeout, record.RequestBody).ConfigureAwait(false)
                : await BodyRelay.CopyLengthAsync(reader, upstream.Writer, request.ContentLength, session, snapshot.RequestBodyTimeout, record.RequestBody).ConfigureAwait(false);
            switch (sent)
            {
                case RelayOutcome.Completed:
                    return ForwardStep.AwaitResponse;
                case RelayOutcome.TooLarge:
                    record.Status = 413;
                    await WriteErrorAsync(writer, 413, close: true).ConfigureAwait(false);
                    return ForwardStep.Close;
                case RelayOutcome.TimedOut:
                    record.Status = 408;
                    await WriteErrorAsync(writer, 408, close: true).ConfigureAwait(false);
                    return ForwardStep.Close;
                case RelayOutcome.InvalidFraming:
                    ProxyLog.RequestRejected(logger, session.RemoteAddress, HttpRejection.InvalidTransferEncoding, 400);
                    record.Status = 400;
                    record.ErrorCode = "DPE";
                    await WriteErrorAsync(writer, 400, close: true).ConfigureAwait(false);
                    return ForwardStep.Close;
                case RelayOutcome.DestinationFailed:
                    ProxyLog.UpstreamFailed(logger, api.Name, endpoint.Key, "UF", "reset while sending the request body");
                    return await FailBeforeResponseAsync(session, snapshot, endpoint, forward.ClientKeepAlive, ProxyError.UpstreamConnectFailure, bodyPending: true, null).ConfigureAwait(false);
                default:
                    record.ErrorCode = "DC"; // downstream connection terminated
                    return ForwardStep.Close; // the client went away mid-body
            }
        }
    }

    /// <summary>
    /// Steps 9–10 once the wait for the response head has ended (<see cref="ForwardState.Status"/>): relay the head and
    /// the body by its framing, then pool the upstream connection when it is reusable. AwaitResponse after relaying a
    /// 1xx (the final head follows); Retry when a reused connection turned out closed and the request may be sent again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardStep> RelayResponseAsync(ClientSession session, ForwardState forward)
    {
        var reader = session.ClientReader;
        var writer = session.ClientWriter;
        var api = forward.Api;
        var snapshot = forward.Snapshot;
        var endpoint = api.Endpoint;
        var record = session.Record;
        var upstream = forward.Upstream!;
        var status = forward.Status;
        var failure = forward.Failure;
        var upstreamRead = forward.UpstreamRead;
        // The keep-alive race: a reused connection the upstream closed. Retry once on a new connection when the request
        // can be sent again (no body consumed) and repeating it is harmless (idempotent method).
        if (status == ResponseHeadStatus.ClosedBeforeResponse && forward.Reused && !forward.HasBody && forward.Attempt == 0
            && !forward.InformationalRelayed && IsIdempotent(forward.Method))
        {
            ProxyLog.RetryingOnNewConnection(logger, api.Name, endpoint.Key);
            forward.DiscardUpstream();
            forward.Attempt++;
            forward.Failure = null;
            return ForwardStep.Retry;
        }
        forward.ConsumeHead(reader);
        if (status != ResponseHeadStatus.Received)
        {
            // With TLS 1.3 an upstream refuses a client certificate after the handshake: the first read fails.
            var certificateMissing = !forward.Reused && status == ResponseHeadStatus.ClosedBeforeResponse && upstream.ClientCertificateRequestedButNone;
            var tlsRefusal = certificateMissing || (endpoint.IsTls && !forward.Reused && failure is not null && IsTlsError(failure));
            var error = status switch
            {
                ResponseHeadStatus.TimedOut => ProxyError.UpstreamTimeout,
                ResponseHeadStatus.Invalid => ProxyError.UpstreamProtocolError,
                _ when tlsRefusal => ProxyError.UpstreamTlsFailure,
                _ => ProxyError.UpstreamConnectFailure,
            };
            var detail = certificateMissing
                ? "TLS error: the upstream requested a client certificate, none is configured for this target (upstream_certificates), and it closed the connection"
                : failure is null ? status.ToString() : DescribeFailure(failure, tlsRefusal);
            ProxyLog.UpstreamFailed(logger, api.Name, endpoint.Key, ProxyErrorCodes.ToCode(error), detail);
            return await FailBeforeResponseAsync(session, snapshot, endpoint, forward.ClientKeepAlive, error, bodyPending: false, failure is null && !certificateMissing ? null : detail).ConfigureAwait(false);
        }

        if (!forward.InformationalRelayed)
        {
            record.FirstByte = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        var response = session.Response;
        if (forward.Upgrade && response.StatusCode == 101)
        {
            record.Status = 101;
            ResponseHeadWriter.WriteSwitchingProtocols(writer, response);
            upstream.Reader.AdvanceTo(upstreamRead.Buffer.GetPosition(response.ConsumedLength));
            if (await BodyRelay.FlushAsync(writer).ConfigureAwait(false))
            {
                await TunnelAsync(reader, writer, upstream).ConfigureAwait(false);
            }
            forward.DiscardUpstream();
            return ForwardStep.Close;
        }
        if (response.IsInformational)
        {
            if (response.StatusCode == 101)
            {
                // FastGate never forwards Upgrade, so a 101 is a protocol error.
                ProxyLog.InvalidUpstreamResponse(logger, api.Name, endpoint.Key, HttpRejection.InvalidStatusLine);
                return await FailBeforeResponseAsync(session, snapshot, endpoint, forward.ClientKeepAlive, ProxyError.UpstreamProtocolError, bodyPending: false, null).ConfigureAwait(false);
            }
            // Passed on (not to an HTTP/1.0 client, and not a 100 the gateway already sent itself). Then the final head
            // is awaited like the first one, but never retried: the client saw this.
            var relay = !forward.IsHttp10 && !(forward.AnswerContinue && response.StatusCode == 100);
            if (relay)
            {
                writer.Write(response.Span);
            }
            upstream.Reader.AdvanceTo(upstreamRead.Buffer.GetPosition(response.ConsumedLength));
            forward.InformationalRelayed = true;
            forward.UpstreamRead = default;
            // Sent now unless the final head is already here: 103 Early Hints is worth something only while the
            // upstream is still working on the response.
            if (relay && !HasLeftover(upstream.Reader) && !await BodyRelay.FlushAsync(writer).ConfigureAwait(false))
            {
                record.ErrorCode = "DC";
                return ForwardStep.Close;
            }
            return ForwardStep.AwaitResponse;
        }

        // Step 9 continued: relay the head, then the body by its framing.
        var framing = response.Framing;
        var dechunk = forward.IsHttp10 && framing == BodyFraming.Chunked;
        // Read now, not at the request's start: a shutdown that began meanwhile closes the connection after this response.
        var keepClient = forward.ClientKeepAlive && !_stopping && framing != BodyFraming.CloseDelimited && !dechunk;
        var upstreamReusable = response.KeepAlive && framing != BodyFraming.CloseDelimited && response.KeepAliveTimeoutSeconds != 0;
        if (response.KeepAliveTimeoutSeconds > 0)
        {
            // Never keep a connection idle as long as the upstream will: it closes at N seconds, we stop at N - 1.
            upstream.IdleLimit = TimeSpan.FromSeconds(Math.Max(response.KeepAliveTimeoutSeconds - 1, 0.5));
        }
        ResponseHeadWriter.Write(writer, response, keepClient, forward.IsHttp10, dechunk);
        record.Status = response.StatusCode;
        record.ResponseBytes = response.ConsumedLength;
        upstream.Reader.AdvanceTo(upstreamRead.Buffer.GetPosition(response.ConsumedLength));
        var relayed = framing switch
        {
            BodyFraming.ContentLength => await BodyRelay.CopyLengthAsync(upstream.Reader, writer, response.ContentLength, session, api.UpstreamTimeout, record.ResponseBody).ConfigureAwait(false),
            BodyFraming.Chunked => await BodyRelay.CopyChunkedAsync(upstream.Reader, writer, dechunk, long.MaxValue, session, api.UpstreamTimeout, record.ResponseBody).ConfigureAwait(false),
            BodyFraming.CloseDelimited => await BodyRelay.CopyToEndAsync(upstream.Reader, writer, session, api.UpstreamTimeout, record.ResponseBody).ConfigureAwait(false),
            _ => await BodyRelay.FlushAsync(writer).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.DestinationFailed,
        };

        // Step 10: pool the upstream connection only when the body ended exactly and nothing else arrived.
        if (relayed != RelayOutcome.Completed)
        {
            record.ErrorCode = relayed == RelayOutcome.DestinationFailed ? "DC" : relayed == RelayOutcome.TimedOut ? "UT" : "UR";
            ProxyLog.RelayEnded(logger, api.Name, endpoint.Key, relayed);
            return ForwardStep.Close; // the response is cut short: the client must see the connection end (the state discards the upstream)
        }
        if (upstreamReusable && !HasLeftover(upstream.Reader))
        {
            upstream.RequestCount++;
            forward.Upstream = null;
            upstream.Pool.Return(upstream);
        }
        return keepClient ? ForwardStep.KeepOpen : ForwardStep.Close;
    }

    /// <summary>An error answer before any response byte reached the client (Envoy's texts). The head must be consumed already.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardStep> FailBeforeResponseAsync(ClientSession session, GatewaySnapshot snapshot, UpstreamEndpoint endpoint,
        bool clientKeepAlive, ProxyError error, bool bodyPending, string? detail)
    {
        var record = session.Record;
        var writer = session.ClientWriter;
        var close = !clientKeepAlive || bodyPending;
        var status = ErrorResponses.StatusFor(error);
        record.Status = status;
        record.ErrorCode = ProxyErrorCodes.ToCode(error);
        _metrics.UpstreamError(endpoint.Key, error switch
        {
            ProxyError.UpstreamTlsFailure => UpstreamErrorKind.Tls,
            ProxyError.UpstreamTimeout => UpstreamErrorKind.Timeout,
            ProxyError.PoolOverflow => UpstreamErrorKind.Overflow,
            ProxyError.UpstreamProtocolError => UpstreamErrorKind.Protocol,
            _ when record.Reused => UpstreamErrorKind.Reset,
            _ => UpstreamErrorKind.Connect,
        });
        if (snapshot.DetailedUpstreamErrors && detail is not null && status == 502)
        {
            writer.Write(ErrorResponses.BuildDetailed(status, detail, close));
        }
        else
        {
            writer.Write(ErrorResponses.For(status, close));
        }
        var written = await BodyRelay.FlushAsync(writer).ConfigureAwait(false);
        return written && !close ? ForwardStep.KeepOpen : ForwardStep.Close;
    }

    /// <summary>
    /// One read of the upstream while waiting for a response head: true with the outcome once there is one (Received
    /// leaves the head unconsumed in the reader), false when more bytes are needed (then they are marked examined).
    /// </summary>
    private static bool TryTakeResponseHead(PipeReader reader, in ReadResult read, HttpResponseHead response, HttpMethodKind method,
        GatewaySnapshot snapshot, out ResponseHeadStatus status)
    {
        var buffer = read.Buffer;
        if (read.IsCanceled)
        {
            status = ResponseHeadStatus.TimedOut;
            return true;
        }
        if (HttpResponseParser.TryParse(buffer, response, method, snapshot.ParserLimits, out var rejection))
        {
            status = ResponseHeadStatus.Received;
            return true;
        }
        if (rejection != HttpRejection.None)
        {
            reader.AdvanceTo(buffer.Start);
            status = ResponseHeadStatus.Invalid;
            return true;
        }
        if (read.IsCompleted)
        {
            reader.AdvanceTo(buffer.Start);
            status = buffer.IsEmpty ? ResponseHeadStatus.ClosedBeforeResponse : ResponseHeadStatus.Failed;
            return true;
        }
        reader.AdvanceTo(buffer.Start, buffer.End);
        status = default;
        return false;
    }

    /// <summary>Step 11: metrics and one access-log line for the request just finished.</summary>
    private void Complete(ClientSession session, RequestRecord record, int status = 0)
    {
        if (status != 0)
        {
            record.Status = status;
        }
        record.End = System.Diagnostics.Stopwatch.GetTimestamp();
        record.RequestBytes += record.RequestBody.Bytes;
        record.ResponseBytes += record.ResponseBody.Bytes;
        record.Api?.Metrics.Record(record.Method, record.Status, record.End - record.Start, record.RequestBytes, record.ResponseBytes);
        if (_accessLog is not null)
        {
            if (_combinedFormat)
            {
                session.Exchange.LogBuffer.ResetWrittenCount();
                AccessLogFormatter.WriteCombined(session.Exchange.LogBuffer, session, record);
            }
            else
            {
                AccessLogFormatter.WriteJson(session.Exchange.LogWriter(), session, record);
            }
            _accessLog.Write(session.Exchange.LogBuffer.WrittenSpan);
        }
    }

    /// <summary>After a 101: bytes flow both ways until either side closes, then both connections end.</summary>
    private static async Task TunnelAsync(PipeReader clientReader, PipeWriter clientWriter, UpstreamConnection upstream)
    {
        var up = CopyUntilClosedAsync(clientReader, upstream.Writer);
        var down = CopyUntilClosedAsync(upstream.Reader, clientWriter);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        clientReader.CancelPendingRead();
        upstream.Reader.CancelPendingRead();
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    private static async Task CopyUntilClosedAsync(PipeReader source, PipeWriter destination)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await source.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (BodyRelay.IsTransportError(e))
            {
                return;
            }
            if (result.IsCanceled)
            {
                return;
            }
            BodyRelay.Write(destination, result.Buffer);
            source.AdvanceTo(result.Buffer.End);
            if (!await BodyRelay.FlushAsync(destination).ConfigureAwait(false) || result.IsCompleted)
            {
                return;
            }
        }
    }

    private static bool IsIdempotent(HttpMethodKind method) => method is HttpMethodKind.Get or HttpMethodKind.Head
        or HttpMethodKind.Options or HttpMethodKind.Trace or HttpMethodKind.Put or HttpMethodKind.Delete;

    private static bool IsTlsError(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is AuthenticationException || current.GetType().Name.Contains("Ssl", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Error path only: the transport detail for logs and (when enabled) the 502 body.</summary>
    private static string DescribeFailure(Exception e, bool tls)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message += ": " + inner.Message;
        }
        return tls ? "TLS error: " + message : message;
    }

    /// <summary>Bytes after the end of a response mean the upstream's framing cannot be trusted on this connection.</summary>
    private static bool HasLeftover(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return false;
        }
        var leftover = !result.Buffer.IsEmpty || result.IsCompleted || result.IsCanceled;
        reader.AdvanceTo(result.Buffer.Start);
        return leftover;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> WriteErrorAsync(PipeWriter writer, int status, bool close)
    {
        writer.Write(ErrorResponses.For(status, close));
        return await BodyRelay.FlushAsync(writer).ConfigureAwait(false);
    }
}
