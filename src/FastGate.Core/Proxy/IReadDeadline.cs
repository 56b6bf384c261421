using System.IO.Pipelines;

namespace FastGate.Core.Proxy;

/// <summary>A deadline on the pending read of one pipe: when it passes, the read returns cancelled.</summary>
internal interface IReadDeadline
{
    /// <summary>Cancels <paramref name="reader"/>'s pending read once <paramref name="timeout"/> has passed, unless disarmed first.</summary>
    void Arm(PipeReader reader, TimeSpan timeout);

    /// <summary>After this returns, the deadline armed before can no longer cancel anything.</summary>
    void Disarm();

    /// <summary>True when the read most recently cancelled was cancelled by the deadline.</summary>
    bool TimedOut { get; }
}
