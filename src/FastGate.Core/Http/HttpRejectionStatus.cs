namespace FastGate.Core.Http;

internal static class HttpRejectionStatus
{
    /// <summary>The status a client gets for a refused request head.</summary>
    public static int ToStatusCode(HttpRejection rejection) => rejection switch
    {
        HttpRejection.RequestLineTooLong => 414,
        HttpRejection.HeadTooLarge or HttpRejection.TooManyHeaders => 431,
        HttpRejection.UnsupportedVersion => 505,
        HttpRejection.UnsupportedTransferEncoding => 501,
        HttpRejection.ConnectNotAllowed => 405,
        _ => 400,
    };
}
