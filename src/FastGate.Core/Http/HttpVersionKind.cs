namespace FastGate.Core.Http;

internal enum HttpVersionKind : byte
{
    Http10,
    Http11,
}
