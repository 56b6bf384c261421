namespace FastGate.Core.Http;

/// <summary>Methods the proxy needs to tell apart; anything else is <see cref="Other"/> and is forwarded as sent.</summary>
internal enum HttpMethodKind : byte
{
    Other,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
    Trace,
    Connect,
}
