using FastGate.Core.Infrastructure;

namespace FastGate.Tests.Infrastructure;

public sealed class BoundedStackTests
{
    [Fact]
    public void LastPushed_PopsFirst_AndAFullStackRefuses()
    {
        var stack = new BoundedStack<string>(2);
        Assert.True(stack.TryPush("a"));
        Assert.True(stack.TryPush("b"));
        Assert.False(stack.TryPush("c")); // full: the caller's shared pool takes it

        Assert.True(stack.TryPop(out var first));
        Assert.Equal("b", first);
        Assert.True(stack.TryPop(out var second));
        Assert.Equal("a", second);
        Assert.False(stack.TryPop(out _));
        Assert.Equal(0, stack.Count);
    }

    [Fact]
    public void PoppedItem_IsNoLongerReferencedByTheStack()
    {
        var stack = new BoundedStack<object>(1);
        var weak = PushAndPop(stack);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.IsAlive, "the stack kept a reference to an item it handed out");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference PushAndPop(BoundedStack<object> stack)
    {
        var item = new object();
        stack.TryPush(item);
        stack.TryPop(out _);
        return new WeakReference(item);
    }
}
