using HdrHistogram;

namespace FastGate.Load;

/// <summary>What a run measured: latency histogram (µs), requests and errors per second, errors by kind.</summary>
public sealed class LoadResult
{
    public required Scenario Scenario { get; init; }
    public required LongHistogram Latency { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public required long Requests { get; init; }
    public required IReadOnlyDictionary<ErrorKind, long> Errors { get; init; }
    public required IReadOnlyList<SecondSample> Timeline { get; init; }
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
    public long ErrorCount
    {
        get
        {
            long total = 0;
            foreach (var count in Errors.Values)
            {
                total += count;
            }
            return total;
        }
    }

    public double PercentileMs(double percentile) => Latency.TotalCount == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;
    public double MaxMs => Latency.TotalCount == 0 ? 0 : Latency.GetMaxValue() / 1000.0;
}

/// <summary>One second of the measured period.</summary>
public sealed record SecondSample(int Second, long Requests, long Errors, double P50Ms, double P99Ms);
