namespace FastGate.Core.Infrastructure;

/// <summary>
/// A last-in, first-out stack of fixed capacity: the per-thread caches in front of a shared pool (pipe blocks, async
/// state machine boxes), where the item returned last is the one still in the core's cache. One thread only.
/// </summary>
internal sealed class BoundedStack<T>(int capacity) where T : class
{
    private readonly T?[] _items = new T?[capacity];

    public int Count { get; private set; }

    /// <summary>False when the stack is full: the caller returns the item to its shared pool instead.</summary>
    public bool TryPush(T item)
    {
        if (Count == _items.Length)
        {
            return false;
        }
        _items[Count++] = item;
        return true;
    }

    public bool TryPop(out T item)
    {
        if (Count == 0)
        {
            item = null!;
            return false;
        }
        item = _items[--Count]!;
        _items[Count] = null; // the stack keeps no reference to what it handed out
        return true;
    }
}
