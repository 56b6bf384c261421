using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace FastGate.Core.Transport;

/// <summary>
/// One thread waiting in epoll_wait(2) for the descriptors of FastGate's epoll transport (<see cref="RawSocketStream"/>,
/// <see cref="EpollAcceptor"/>): edge-triggered, each descriptor registered once for reading and writing, and its
/// completions run inline on this thread, as .NET's sockets do with inline completions. There is one loop per
/// processor the process may run on (.NET's socket engines with inline completions: the same count). A new connection
/// goes to the loop with the fewest descriptors and stays there, its handshake included (<see cref="Post"/> hands it
/// over: HAProxy's per-thread accept queues); an upstream connection is opened on the loop of the client connection
/// that needs it. Thread-safe.
/// </summary>
internal sealed class EpollLoop : IEpollTarget
{
    /// <summary>Linux on x86-64 or arm64: the two layouts of struct epoll_event known here.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    // struct epoll_event { uint32_t events; uint64_t data; }: packed on x86-64 (12 bytes), naturally aligned elsewhere.
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private static readonly Lock s_create = new();
    private static EpollLoop[]? s_loops;
    private static int s_configuredCount; // 0: one per processor
    private static int s_next;
    private static ILogger? s_logger;

    [ThreadStatic]
    private static EpollLoop? t_current;

    /// <summary>The loop whose thread this is, or null on any other thread.</summary>
    public static EpollLoop? Current => t_current;

    /// <summary>
    /// The loop for a new connection: the one watching the fewest descriptors (ties in turn), so loops that lost
    /// long-lived connections take the next ones. The loops start on first use.
    /// </summary>
    public static EpollLoop LeastLoaded()
    {
        var loops = Volatile.Read(ref s_loops) ?? CreateLoops();
        if (loops.Length == 1)
        {
            return loops[0];
        }
        var start = (int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length);
        var best = loops[start];
        for (var i = 1; i < loops.Length; i++)
        {
            var candidate = loops[(start + i) % loops.Length];
            if (candidate.Load < best.Load)
            {
                best = candidate;
            }
        }
        return best;
    }

    /// <summary>The loop of the calling loop thread, else the least loaded one: where a new upstream connection goes.</summary>
    public static EpollLoop CurrentOrLeastLoaded() => t_current ?? LeastLoaded();

    /// <summary>The loops running now (none until the epoll transport is first used).</summary>
    public static ReadOnlySpan<EpollLoop> Running => Volatile.Read(ref s_loops);

    /// <summary>The loop numbered <paramref name="index"/> (0 to <see cref="Count"/> - 1).</summary>
    public static EpollLoop At(int index) => (Volatile.Read(ref s_loops) ?? CreateLoops())[index];

    /// <summary>How many loops run (or will): as configured, else one per processor available to the process.</summary>
    public static int Count => Volatile.Read(ref s_loops)?.Length ?? CountFor(Volatile.Read(ref s_configuredCount));

    /// <summary>The most loops a configuration may ask for.</summary>
    public const int MaxCount = 1024;

    /// <summary>
    /// Sets how many loops start (0: one per processor) before any has started; false when they run already with
    /// another count (a second gateway in the process: the first one's count stays).
    /// </summary>
    public static bool TryConfigure(int count)
    {
        lock (s_create)
        {
            if (s_loops is { } running)
            {
                return running.Length == CountFor(count);
            }
            Volatile.Write(ref s_configuredCount, count);
            return true;
        }
    }

    private static int CountFor(int configured) => configured > 0 ? configured : Environment.ProcessorCount;

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
            var loops = new EpollLoop[CountFor(s_configuredCount)];
            for (var i = 0; i < loops.Length; i++)
            {
                loops[i] = new EpollLoop(i);
            }
            Volatile.Write(ref s_loops, loops);
            return loops;
        }
    }

    private const int EpollCloexec = 0x80000;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonBlock = 0x800;
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
    private int _registered; // descriptors watched now
    private int _queued; // posted work not run yet (connections on their way here): load as well, or a burst of
                         // accepts would all go to the loop that was least loaded before it
    // Work handed to this loop's thread (Post), run after each batch of events; an eventfd wakes a waiting loop.
    private readonly ConcurrentQueue<(Action<object?> Callback, object? State)> _posted = new();
    private readonly int _wakeFd;
    private int _wakeRequested;
    private volatile bool _waiting; // in (or about to enter) epoll_wait: a post must wake the loop
    private int _threadId; // the loop thread's kernel id, for its CPU clock

    private EpollLoop(int index)
    {
        Index = index;
        _epfd = EpollCreate1(EpollCloexec);
        if (_epfd < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        _wakeFd = EventFd(0, EfdCloexec | EfdNonBlock);
        if (_wakeFd < 0)
        {
            throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }
        Register(this, _wakeFd);
        new Thread(static self => ((EpollLoop)self!).Run()) { IsBackground = true, Name = $"FastGate epoll {index}" }.UnsafeStart(this);
    }

    /// <summary>The loop's number (its thread is "FastGate epoll N").</summary>
    public int Index { get; }

    /// <summary>Connections and listening sockets this loop watches now (not its own wake-up descriptor).</summary>
    public int Descriptors => Volatile.Read(ref _registered) - 1;

    /// <summary>CPU time the loop's thread has used (its handshakes and requests run on it); zero before it started.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var tid = Volatile.Read(ref _threadId);
            // The kernel's clock id for one thread's CPU time (glibc's pthread_getcpuclockid: CPUCLOCK_SCHED | PERTHREAD).
            var clock = (~tid << 3) | 6;
            return tid != 0 && ClockGetTime(clock, out var time) == 0
                ? TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100)
                : TimeSpan.Zero;
        }
    }

    /// <summary>What <see cref="LeastLoaded"/> compares: descriptors watched and posted work waiting.</summary>
    public int Load => Volatile.Read(ref _registered) + Volatile.Read(ref _queued);

    /// <summary>
    /// Runs <paramref name="callback"/> on this loop's thread, after the events it is handling now; exceptions are
    /// logged as a completion's are. Any thread may post; from the loop's own thread the callback still waits its turn.
    /// The loop is woken (an eventfd write) only when it is waiting or about to wait in epoll_wait: a busy loop runs
    /// what was posted before it waits again, without the two system calls.
    /// </summary>
    public void Post(Action<object?> callback, object? state)
    {
        Interlocked.Increment(ref _queued);
        _posted.Enqueue((callback, state));
        // The enqueue before the read of _waiting, as the loop sets _waiting before it looks at the queue (Dekker):
        // either the loop sees the work, or this sees the loop waiting and wakes it.
        Interlocked.MemoryBarrier();
        if (_waiting && Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            ulong one = 1;
            _ = Write(_wakeFd, ref one, sizeof(ulong)); // fails only when the counter is full, which is a wake-up too
        }
    }

    /// <summary>The wake-up descriptor's edge: the loop drains what was posted after this batch of events.</summary>
    void IEpollTarget.OnEvents(uint events)
    {
        // Cleared before the counter is read: a post after this point writes again, so none waits for a later edge.
        Volatile.Write(ref _wakeRequested, 0);
        ulong count = 0;
        _ = Read(_wakeFd, ref count, sizeof(ulong));
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var work))
        {
            try
            {
                work.Callback(work.State);
            }
            catch (Exception e)
            {
                ReportFailure(e);
            }
            Interlocked.Decrement(ref _queued);
        }
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
            _registered++;
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
            _registered--;
        }
    }

    private void Run()
    {
        t_current = this;
        Volatile.Write(ref _threadId, GetThreadId());
        const int MaxEvents = 256;
        var events = new byte[MaxEvents * s_eventSize];
        while (true)
        {
            _waiting = true;
            Interlocked.MemoryBarrier(); // the flag before the look at the queue (see Post)
            // With work posted, only a look at what is ready (no wait), so neither starves the other.
            var count = EpollWait(_epfd, events, MaxEvents, _posted.IsEmpty ? -1 : 0);
            _waiting = false;
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
                        ReportFailure(e);
                    }
                }
            }
            RunPosted();
        }
    }

    // Continuations run inline on the loop: one connection's failure must not stop every other one's.
    private static void ReportFailure(Exception e)
    {
        if (s_logger is { } logger)
        {
            TransportLog.EventLoopCallbackFailed(logger, e);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc.so.6", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [DllImport("libc.so.6", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    [DllImport("libc.so.6", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventFd(uint initialValue, int flags);

    [DllImport("libc.so.6", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, ref ulong value, nuint count);

    [DllImport("libc.so.6", EntryPoint = "write", SetLastError = true)]
    private static extern nint Write(int fd, ref ulong value, nuint count);

    [DllImport("libc.so.6", EntryPoint = "epoll_create1", SetLastError = true)]
    private static extern int EpollCreate1(int flags);

    [DllImport("libc.so.6", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static extern int EpollCtl(int epfd, int op, int fd, ref byte ev);

    [DllImport("libc.so.6", EntryPoint = "epoll_wait", SetLastError = true)]
    private static extern int EpollWait(int epfd, byte[] events, int maxEvents, int timeout);
}
