using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using FastGate.Core.Infrastructure;

namespace FastGate.Tests.Infrastructure;

public sealed class PooledValueTaskMethodBuilderTests
{
    [Fact]
    public async Task CompletesSynchronously_WithoutSuspending()
    {
        var task = AddAsync(null, 2, 3);

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(5, await task);
    }

    [Fact]
    public async Task Suspended_CompletesWithTheResult()
    {
        var gate = new Gate();
        var task = AddAsync(gate, 2, 3);
        Assert.False(task.IsCompleted);

        gate.Open(10);

        Assert.Equal(15, await task);
    }

    [Fact]
    public void ManyCallsInFlight_ReuseTheirBoxesOnTheNextRound()
    {
        const int inFlight = 200; // far more than the framework's pooling builder keeps (one per thread, one per core)
        var gates = Enumerable.Range(0, inFlight).Select(_ => new Gate()).ToArray();
        var results = new ValueTask<int>[inFlight];
        var values = new int[inFlight];
        var completed = 0;
        Round(); // creates the boxes

        completed = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Round();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(inFlight, completed);
        Assert.Equal(Enumerable.Range(2, inFlight), values);

        void Round()
        {
            for (var i = 0; i < inFlight; i++)
            {
                results[i] = AddAsync(gates[i], i, 1);
            }
            for (var i = 0; i < inFlight; i++)
            {
                gates[i].Open(1); // continuations run inline, on this thread
            }
            for (var i = 0; i < inFlight; i++)
            {
                if (results[i].IsCompletedSuccessfully)
                {
                    completed++;
                }
                values[i] = results[i].Result; // reading the result returns the box to the pool
            }
        }
    }

    [Fact]
    public async Task ExceptionAfterSuspending_ReachesTheAwaiter()
    {
        var gate = new Gate();
        var task = ThrowAfterAsync(gate);

        gate.Open(0);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await task);
        Assert.Equal("after", e.Message);
    }

    [Fact]
    public async Task ExceptionBeforeSuspending_ReachesTheAwaiter()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ThrowAfterAsync(null));

        Assert.Equal("before", e.Message);
    }

    [Fact]
    public async Task AsyncLocal_FlowsAcrossTheSuspension()
    {
        var local = new AsyncLocal<string>();
        var gate = new Gate();
        local.Value = "caller";
        var task = ReadLocalAfterAsync(gate, local);
        local.Value = "changed after the call";

        await Task.Run(() => gate.Open(0)); // resumed from a thread pool thread without the caller's context

        Assert.Equal("caller", await task);
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> AddAsync(Gate? gate, int a, int b)
    {
        var extra = gate is null ? 0 : await gate.WaitAsync().ConfigureAwait(false);
        return a + b + extra;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ThrowAfterAsync(Gate? gate)
    {
        if (gate is null)
        {
            throw new InvalidOperationException("before");
        }
        await gate.WaitAsync().ConfigureAwait(false);
        throw new InvalidOperationException("after");
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<string> ReadLocalAfterAsync(Gate gate, AsyncLocal<string> local)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        return local.Value!;
    }

    /// <summary>A reusable, allocation-free awaitable the test opens by hand.</summary>
    private sealed class Gate : IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;

        public ValueTask<int> WaitAsync() => new(this, _core.Version);

        public void Open(int value) => _core.SetResult(value);

        public int GetResult(short token)
        {
            var result = _core.GetResult(token);
            _core.Reset();
            return result;
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
