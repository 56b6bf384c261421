using System.Diagnostics;
using System.Text;
using HdrHistogram;

namespace FastGate.Load;

/// <summary>
/// Runs a scenario: N connection workers (closed model: as fast as answers come; open model: on a fixed schedule,
/// latency counted from the intended send time), a warm-up that is not recorded, per-second samples from an
/// HdrHistogram recorder, errors by kind, and a progress line each second.
/// </summary>
public static class LoadRunner
{
    private const long HighestMicros = 60_000_000;

    public static async Task<LoadResult> RunAsync(Scenario scenario, Action<string>? progress, CancellationToken cancellationToken)
    {
        var request = BuildRequest(scenario);
        var factory = new ConnectionFactory(scenario);
        var recorder = new Recorder(1, HighestMicros, 3, (id, low, high, digits) => new LongHistogram(id, low, high, digits));
        var errors = new long[Enum.GetValues<ErrorKind>().Length];
        var requests = 0L;
        var measuring = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var workers = new Task[scenario.Connections];
        var startTicks = Stopwatch.GetTimestamp();
        for (var i = 0; i < workers.Length; i++)
        {
            var offset = scenario.Rate > 0 ? i * (scenario.Connections / scenario.Rate) / scenario.Connections : 0;
            workers[i] = Task.Run(() => WorkerAsync(scenario, factory, request, recorder, errors, () => Volatile.Read(ref measuring) == 1,
                () => Interlocked.Increment(ref requests), offset, startTicks, stop.Token));
        }

        // Warm-up: run, but record nothing.
        await DelayAsync(scenario.WarmUp, stop.Token).ConfigureAwait(false);
        recorder.Reset();
        Interlocked.Exchange(ref requests, 0);
        Array.Clear(errors);
        Volatile.Write(ref measuring, 1);
        var measured = Stopwatch.StartNew();
        var total = new LongHistogram(HighestMicros, 3);
        var timeline = new List<SecondSample>();
        long lastRequests = 0, lastErrors = 0;
        while (measured.Elapsed < scenario.Duration && !stop.IsCancellationRequested
               && (scenario.MaxRequests == 0 || Interlocked.Read(ref requests) < scenario.MaxRequests))
        {
            var remaining = scenario.Duration - measured.Elapsed;
            if (remaining < TimeSpan.FromMilliseconds(50) && timeline.Count > 0)
            {
                break;
            }
            var wait = remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1);
            await DelayAsync(wait, stop.Token).ConfigureAwait(false);
            var interval = recorder.GetIntervalHistogram();
            total.Add(interval);
            var nowRequests = Interlocked.Read(ref requests);
            var nowErrors = Sum(errors);
            var sample = new SecondSample(timeline.Count + 1, nowRequests - lastRequests, nowErrors - lastErrors,
                interval.TotalCount == 0 ? 0 : interval.GetValueAtPercentile(50) / 1000.0,
                interval.TotalCount == 0 ? 0 : interval.GetValueAtPercentile(99) / 1000.0);
            timeline.Add(sample);
            lastRequests = nowRequests;
            lastErrors = nowErrors;
            progress?.Invoke($"{scenario.Name}: {measured.Elapsed.TotalSeconds,5:0.0} s  {nowRequests,10:N0} requests  {sample.Requests / wait.TotalSeconds,9:N0}/s  " +
                             $"p50 {sample.P50Ms,7:0.000} ms  p99 {sample.P99Ms,7:0.000} ms  errors {nowErrors:N0}");
        }
        var elapsed = measured.Elapsed;
        Volatile.Write(ref measuring, 0);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        total.Add(recorder.GetIntervalHistogram());

        var byKind = new Dictionary<ErrorKind, long>();
        foreach (var kind in Enum.GetValues<ErrorKind>())
        {
            if (errors[(int)kind] > 0)
            {
                byKind[kind] = errors[(int)kind];
            }
        }
        return new LoadResult
        {
            Scenario = scenario,
            Latency = total,
            Elapsed = elapsed,
            Requests = Interlocked.Read(ref requests),
            Errors = byKind,
            Timeline = timeline,
        };
    }

    private static async Task WorkerAsync(Scenario scenario, ConnectionFactory factory, byte[] request, Recorder recorder, long[] errors,
        Func<bool> measuring, Func<long> counted, double offsetSeconds, long startTicks, CancellationToken stop)
    {
        var headRequest = scenario.Method == "HEAD";
        var intervalTicks = scenario.Rate > 0 ? (long)(Stopwatch.Frequency * scenario.Connections / scenario.Rate) : 0;
        var nextTicks = startTicks + (long)(offsetSeconds * Stopwatch.Frequency);
        Stream? stream = null;
        ResponseReader? reader = null;
        // A watchdog instead of a token per request: cancellation registrations on every socket call cost more than the request.
        var deadline = new Deadline();
        using var watchdog = new Timer(static state => ((Deadline)state!).Check(), deadline, 100, 100);
        while (!stop.IsCancellationRequested)
        {
            long sentTicks;
            if (intervalTicks > 0)
            {
                // Open model: wait for the intended send time; when late, send now but count from the intended time.
                var wait = nextTicks - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                sentTicks = nextTicks;
                nextTicks += intervalTicks;
            }
            else
            {
                sentTicks = Stopwatch.GetTimestamp();
            }

            ErrorKind? failure = null;
            try
            {
                if (stream is null)
                {
                    using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    connectTimeout.CancelAfter(scenario.RequestTimeout);
                    stream = await factory.OpenAsync(scenario.ResumeTls, connectTimeout.Token).ConfigureAwait(false);
                    reader = new ResponseReader(stream);
                }
                deadline.Arm(stream, scenario.RequestTimeout);
                await stream.WriteAsync(request, CancellationToken.None).ConfigureAwait(false);
                var status = await reader!.ReadAsync(headRequest, CancellationToken.None).ConfigureAwait(false);
                if (deadline.Disarm())
                {
                    failure = ErrorKind.Timeout;
                }
                else
                if (status == 0)
                {
                    failure = ErrorKind.Reset;
                }
                else if (status >= 500)
                {
                    failure = ErrorKind.Status5xx;
                }
                else if (status >= 400)
                {
                    failure = ErrorKind.Status4xx;
                }
            }
            catch (LoadException e)
            {
                failure = e.Kind;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                failure = ErrorKind.Timeout;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                failure = deadline.Disarm() ? ErrorKind.Timeout : ErrorKind.Reset;
            }
            catch (InvalidDataException)
            {
                failure = ErrorKind.Protocol;
            }

            if (measuring())
            {
                var micros = (Stopwatch.GetTimestamp() - sentTicks) * 1_000_000 / Stopwatch.Frequency;
                recorder.RecordValue(Math.Clamp(micros, 1, HighestMicros));
                counted();
                if (failure is { } kind)
                {
                    Interlocked.Increment(ref errors[(int)kind]);
                }
            }
            if (failure is not null || scenario.NewConnectionPerRequest || reader?.ServerClosing == true)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
                stream = null;
            }
        }
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes a worker's connection when its request overruns the timeout (checked every 100 ms).</summary>
    private sealed class Deadline
    {
        private Stream? _stream;
        private long _due;
        private int _fired;

        public void Arm(Stream stream, TimeSpan timeout)
        {
            _fired = 0;
            _stream = stream;
            Volatile.Write(ref _due, Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));
        }

        /// <summary>True when the deadline fired (the stream was closed).</summary>
        public bool Disarm()
        {
            Volatile.Write(ref _due, 0);
            return Volatile.Read(ref _fired) == 1;
        }

        public void Check()
        {
            var due = Volatile.Read(ref _due);
            if (due != 0 && Stopwatch.GetTimestamp() > due && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                _stream?.Dispose();
            }
        }
    }

    private static byte[] BuildRequest(Scenario scenario)
    {
        var url = scenario.Url;
        var host = url.IsDefaultPort ? url.Host : url.Authority;
        var head = new StringBuilder($"{scenario.Method} {url.PathAndQuery} HTTP/1.1\r\nHost: {host}\r\n");
        foreach (var (name, value) in scenario.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        if (scenario.Body.Length > 0 || scenario.Method is "POST" or "PUT" or "PATCH")
        {
            head.Append("Content-Length: ").Append(scenario.Body.Length).Append("\r\n");
        }
        if (scenario.NewConnectionPerRequest)
        {
            head.Append("Connection: close\r\n");
        }
        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. scenario.Body];
    }

    private static long Sum(long[] values)
    {
        long total = 0;
        for (var i = 0; i < values.Length; i++)
        {
            total += Interlocked.Read(ref values[i]);
        }
        return total;
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
