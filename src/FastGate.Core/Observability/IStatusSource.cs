namespace FastGate.Core.Observability;

/// <summary>What the admin endpoints read: the gateway reports into Observability through this.</summary>
internal interface IStatusSource
{
    bool IsReady { get; }
    GatewayStatus Status();
    MetricsRegistry Metrics { get; }
}
