using System.Runtime.InteropServices;

namespace FastGate.Core.Transport;

/// <summary>What the loop reports readiness to: a stream or a listening socket.</summary>
internal interface IEpollTarget
{
    void OnEvents(uint events);
}

/// <summary>
/// EXPERIMENT (branch experiment/epoll-transport, not shipped): one epoll thread of FastGate's own for
/// <see cref="RawSocketStream"/>s, edge-triggered, completions run inline on it (as .NET's inline socket completions).
/// </summary>
internal sealed class EpollLoop
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("FASTGATE_RAW_TRANSPORT") == "1" && OperatingSystem.IsLinux();

    private static EpollLoop? s_instance;
    private static readonly Lock s_create = new();

    public static EpollLoop Instance
    {
        get
        {
            if (Volatile.Read(ref s_instance) is { } loop)
            {
                return loop;
            }
            lock (s_create)
            {
                return s_instance ??= new EpollLoop();
            }
        }
    }

    private const int EpollCloexec = 0x80000;
    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Err = 0x008;
    public const uint Hup = 0x010;
    public const uint RdHup = 0x2000;
    private const uint EdgeTriggered = 1u << 31;

    private readonly int _epfd;
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private IEpollTarget?[] _slots = new IEpollTarget?[1024];
    private int _nextSlot;

    private EpollLoop()
    {
        _epfd = EpollCreate1(EpollCloexec);
        if (_epfd < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        new Thread(static self => ((EpollLoop)self!).Run()) { IsBackground = true, Name = "FastGate epoll" }.UnsafeStart(this);
    }

    public int Register(IEpollTarget stream, int fd)
    {
        int slot;
        lock (_slotsLock)
        {
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _nextSlot++;
                if (slot == _slots.Length)
                {
                    var grown = new IEpollTarget?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Volatile.Write(ref _slots, grown);
                }
            }
            Volatile.Write(ref _slots[slot], stream);
        }
        var ev = new EpollEvent { Events = In | Out | RdHup | EdgeTriggered, Data = (ulong)slot };
        if (EpollCtl(_epfd, CtlAdd, fd, ref ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Release(slot);
            throw new IOException($"epoll_ctl ADD failed: errno {errno}");
        }
        return slot;
    }

    /// <summary>Before the descriptor is closed.</summary>
    public void Unregister(int slot, int fd)
    {
        var ev = default(EpollEvent);
        _ = EpollCtl(_epfd, CtlDel, fd, ref ev);
        Release(slot);
    }

    private void Release(int slot)
    {
        lock (_slotsLock)
        {
            Volatile.Write(ref _slots[slot], null);
            _freeSlots.Push(slot);
        }
    }

    private void Run()
    {
        var events = new EpollEvent[256];
        while (true)
        {
            var count = EpollWait(_epfd, events, events.Length, -1);
            if (count < 0)
            {
                continue; // EINTR
            }
            var slots = Volatile.Read(ref _slots);
            for (var i = 0; i < count; i++)
            {
                var slot = (int)events[i].Data;
                if (slot < slots.Length && Volatile.Read(ref slots[slot]) is { } stream)
                {
                    try
                    {
                        stream.OnEvents(events[i].Events);
                    }
                    catch (ObjectDisposedException)
                    {
                        // closed while the event was in flight: Dispose completed its waiters
                    }
                }
            }
        }
    }

    // struct epoll_event is packed on x86-64: 12 bytes.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [DllImport("libc.so.6", EntryPoint = "epoll_create1", SetLastError = true)]
    private static extern int EpollCreate1(int flags);

    [DllImport("libc.so.6", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static extern int EpollCtl(int epfd, int op, int fd, ref EpollEvent ev);

    [DllImport("libc.so.6", EntryPoint = "epoll_wait", SetLastError = true)]
    private static extern int EpollWait(int epfd, [Out] EpollEvent[] events, int maxEvents, int timeout);
}
