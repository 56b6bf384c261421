namespace FastGate.Core.Http;

/// <summary>Why a message head was refused. Carried to the error response; never formatted on the hot path.</summary>
internal enum HttpRejection : byte
{
    None,
    InvalidRequestLine,
    InvalidMethod,
    InvalidTarget,
    UnsupportedVersion,
    InvalidHeaderName,
    InvalidHeaderValue,
    ObsoleteLineFolding,
    BareLineFeed,
    RequestLineTooLong,
    HeadTooLarge,
    TooManyHeaders,
    MissingHost,
    MultipleHost,
    InvalidHost,
    InvalidContentLength,
    ContentLengthAndTransferEncoding,
    UnsupportedTransferEncoding,
    InvalidTransferEncoding,
    TransferEncodingInHttp10,
    InvalidStatusLine,
    HostDisagreesWithTarget,
    ConnectNotAllowed,
}
