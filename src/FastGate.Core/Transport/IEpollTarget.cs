namespace FastGate.Core.Transport;

/// <summary>What an <see cref="EpollLoop"/> reports readiness to: a connected stream or a listening socket.</summary>
internal interface IEpollTarget
{
    /// <summary>On the loop's thread: epoll's event flags for this target's descriptor (an edge: not repeated).</summary>
    void OnEvents(uint events);
}
