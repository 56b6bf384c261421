using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Transport;

/// <summary>
/// One thread waiting in epoll_wait(2) for the descriptors of FastGate's epoll transport (<see cref="RawSocketStream"/>,
/// <see cref="EpollAcceptor"/>): edge-triggered, each descriptor registered once for reading and writing, and its
/// completions run inline on this thread, as .NET's sockets do with inline completions. There is one loop per
/// processor the process may run on (.NET's socket engines with inline completions: the same count); descriptors are
/// spread over them in turn. Thread-safe.
/// </summary>
internal sealed class EpollLoop
{
    /// <summary>Linux on x86-64 or arm64: the two layouts of struct epoll_event known here.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    // struct epoll_event { uint32_t events; uint64_t data; }: packed on x86-64 (12 bytes), naturally aligned elsewhere.
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private static readonly Lock s_create = new();
    private static EpollLoop[]? s_loops;
    private static int s_next;
    private static ILogger? s_logger;

    /// <summary>The loop for the next descriptor (in turn). The loops start on first use.</summary>
    public static EpollLoop Next()
    {
        var loops = Volatile.Read(ref s_loops) ?? CreateLoops();
        return loops.Length == 1 ? loops[0] : loops[(int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length)];
    }

    /// <summary>How many loops run (or will): one per processor available to the process.</summary>
    public static int Count => Volatile.Read(ref s_loops)?.Length ?? Environment.ProcessorCount;

    /// <summary>Where an exception that escaped a completion is reported (the first gateway's transport log).</summary>
    public static void ReportErrorsTo(ILogger logger) => Interlocked.CompareExchange(ref s_logger, logger, null);

    private static EpollLoop[] CreateLoops()
    {
        lock (s_create)
        {
            if (s_loops is { } existing)
            {
                return existing;
            }
            var loops = new EpollLoop[Environment.ProcessorCount];
            for (var i = 0; i < loops.Length; i++)
            {
                loops[i] = new EpollLoop(i);
            }
            Volatile.Write(ref s_loops, loops);
            return loops;
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
    private const int EINTR = 4;

    private readonly int _epfd;
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private IEpollTarget?[] _slots = new IEpollTarget?[256];
    // Each registration's number, beside its slot and in its events' data: an event still in flight for a descriptor
    // that left the slot is not delivered to the one that took the slot next.
    private uint[] _tokens = new uint[256];
    private uint _registrations;
    private int _nextSlot;

    private EpollLoop(int index)
    {
        _epfd = EpollCreate1(EpollCloexec);
        if (_epfd < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        new Thread(static self => ((EpollLoop)self!).Run()) { IsBackground = true, Name = $"FastGate epoll {index}" }.UnsafeStart(this);
    }

    /// <summary>
    /// Watches <paramref name="fd"/> for reading and writing (edge-triggered) until <see cref="Unregister"/>; returns
    /// the slot that names it. Readiness that exists already is reported once after registering.
    /// </summary>
    public int Register(IEpollTarget target, int fd)
    {
        int slot;
        uint token;
        lock (_slotsLock)
        {
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _nextSlot++;
                if (slot == _slots.Length)
                {
                    var grownTokens = new uint[_tokens.Length * 2];
                    Array.Copy(_tokens, grownTokens, _tokens.Length);
                    Volatile.Write(ref _tokens, grownTokens);
                    var grown = new IEpollTarget?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Volatile.Write(ref _slots, grown);
                }
            }
            token = ++_registrations;
            Volatile.Write(ref _tokens[slot], token);
            Volatile.Write(ref _slots[slot], target);
        }
        Span<byte> ev = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(ev, In | Out | RdHup | EdgeTriggered);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[s_dataOffset..], (ulong)token << 32 | (uint)slot);
        if (EpollCtl(_epfd, CtlAdd, fd, ref MemoryMarshal.GetReference(ev)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Release(slot);
            throw new IOException($"epoll_ctl ADD failed: errno {errno}");
        }
        return slot;
    }

    /// <summary>Stops watching; call before the descriptor is closed (a closed one leaves epoll by itself).</summary>
    public void Unregister(int slot, int fd)
    {
        Span<byte> ev = stackalloc byte[16];
        _ = EpollCtl(_epfd, CtlDel, fd, ref MemoryMarshal.GetReference(ev));
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
        const int MaxEvents = 256;
        var events = new byte[MaxEvents * s_eventSize];
        while (true)
        {
            var count = EpollWait(_epfd, events, MaxEvents, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() != EINTR)
                {
                    throw new IOException($"epoll_wait failed: errno {Marshal.GetLastPInvokeError()}");
                }
                continue;
            }
            // Read after epoll_wait returned: a registration whose events are here was published before them.
            var slots = Volatile.Read(ref _slots);
            var tokens = Volatile.Read(ref _tokens);
            for (var i = 0; i < count; i++)
            {
                var entry = events.AsSpan(i * s_eventSize, s_eventSize);
                var flags = BinaryPrimitives.ReadUInt32LittleEndian(entry);
                var data = BinaryPrimitives.ReadUInt64LittleEndian(entry[s_dataOffset..]);
                var slot = (int)(uint)data;
                // Only to the registration the event is for (not one that reused the slot since). Targets still treat
                // an event as "try again", never as proof of readiness: an edge may be stale by the time it runs.
                if (slot < slots.Length && slot < tokens.Length && Volatile.Read(ref tokens[slot]) == (uint)(data >> 32)
                    && Volatile.Read(ref slots[slot]) is { } target)
                {
                    try
                    {
                        target.OnEvents(flags);
                    }
                    catch (ObjectDisposedException)
                    {
                        // closed while the event was in flight: Dispose completed its waiters
                    }
                    catch (Exception e)
                    {
                        // Continuations run inline here: one connection's failure must not stop every other one's.
                        if (s_logger is { } logger)
                        {
                            TransportLog.EventLoopCallbackFailed(logger, e);
                        }
                    }
                }
            }
        }
    }

    [DllImport("libc.so.6", EntryPoint = "epoll_create1", SetLastError = true)]
    private static extern int EpollCreate1(int flags);

    [DllImport("libc.so.6", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static extern int EpollCtl(int epfd, int op, int fd, ref byte ev);

    [DllImport("libc.so.6", EntryPoint = "epoll_wait", SetLastError = true)]
    private static extern int EpollWait(int epfd, byte[] events, int maxEvents, int timeout);
}
