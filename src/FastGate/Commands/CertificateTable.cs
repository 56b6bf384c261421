using FastGate.Core.Proxy;
using FastGate.Core.Tls;

namespace FastGate.Commands;

/// <summary>Prints every certificate of a snapshot with where it is used and the days it has left, flagged by the expiry thresholds.</summary>
internal static class CertificateTable
{
    public static void Print(GatewaySnapshot snapshot, TextWriter output)
    {
        var settings = snapshot.Source.Config.CertificateExpiry;
        var now = DateTime.UtcNow;
        output.WriteLine($"{"DAYS LEFT",-10} {"STATUS",-12} {"SUBJECT",-40} {"SANS",-30} {"ISSUER",-34} USED AS");
        foreach (var entry in CertificateInventory.Of(snapshot))
        {
            var status = entry.Status(now, settings.WarningDays, settings.ErrorDays);
            var flag = status switch
            {
                ExpiryStatus.Ok => "ok",
                ExpiryStatus.Warning => $"WARN <{settings.WarningDays}d",
                ExpiryStatus.Critical => $"ERROR <{settings.ErrorDays}d",
                ExpiryStatus.Expired => "EXPIRED",
                _ => "NOT YET VALID",
            };
            output.WriteLine($"{entry.DaysLeft(now),-10:0.0} {flag,-12} {Clip(entry.Certificate.Subject, 40),-40} {Clip(entry.SubjectAlternativeNames, 30),-30} {Clip(entry.Certificate.Issuer, 34),-34} {entry.Usage} [{entry.Source}]");
        }
    }

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
