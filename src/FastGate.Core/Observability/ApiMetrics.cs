using System.Diagnostics;

namespace FastGate.Core.Observability;

/// <summary>
/// Counters of one API: requests by method and status class, a duration histogram, bytes in and out. Survives
/// reloads (looked up by name when a snapshot is built); recording is lock-free. Thread-safe.
/// </summary>
internal sealed class ApiMetrics(string api)
{
    /// <summary>Upper bounds of the duration histogram, seconds (Prometheus' default buckets, finer at the low end).</summary>
    public static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly long[] BucketTicks = ToTicks(Buckets);

    private const int StatusClasses = 6; // 0 = no response, 1..5 = 1xx..5xx
    private readonly long[] _requests = new long[MethodLabel.Names.Length * StatusClasses];
    private readonly long[] _buckets = new long[Buckets.Length + 1];
    private long _durationTicks;
    private long _bytesIn;
    private long _bytesOut;

    public string Api { get; } = api;

    public void Record(int method, int status, long elapsedTicks, long bytesIn, long bytesOut)
    {
        var statusClass = status is >= 100 and < 600 ? status / 100 : 0;
        Interlocked.Increment(ref _requests[(method * StatusClasses) + statusClass]);
        var bucket = 0;
        while (bucket < BucketTicks.Length && elapsedTicks > BucketTicks[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Add(ref _durationTicks, elapsedTicks);
        Interlocked.Add(ref _bytesIn, bytesIn);
        Interlocked.Add(ref _bytesOut, bytesOut);
    }

    public long Requests(int method, int statusClass) => Interlocked.Read(ref _requests[(method * StatusClasses) + statusClass]);
    public long Bucket(int index) => Interlocked.Read(ref _buckets[index]);
    public double DurationSeconds => (double)Interlocked.Read(ref _durationTicks) / Stopwatch.Frequency;
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public long TotalRequests
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _requests.Length; i++)
            {
                total += Interlocked.Read(ref _requests[i]);
            }
            return total;
        }
    }

    /// <summary>Requests answered 5xx or not answered at all.</summary>
    public long Errors
    {
        get
        {
            long total = 0;
            for (var method = 0; method < MethodLabel.Names.Length; method++)
            {
                total += Requests(method, 0) + Requests(method, 5);
            }
            return total;
        }
    }

    private static long[] ToTicks(double[] seconds)
    {
        var ticks = new long[seconds.Length];
        for (var i = 0; i < seconds.Length; i++)
        {
            ticks[i] = (long)(seconds[i] * Stopwatch.Frequency);
        }
        return ticks;
    }
}
