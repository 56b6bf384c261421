using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FastGate.Tests.TestInfrastructure;

/// <summary>Keeps every formatted log line so tests can assert what operators would read.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    public Task<bool> ContainsAsync(string text) => Eventually.TrueAsync(() => Lines.Any(l => l.Contains(text, StringComparison.Ordinal)));

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
