using System.Runtime.InteropServices;

namespace FastGate.Core.Transport;

/// <summary>
/// An accepted socket descriptor closed with a plain close(2) (a FIN after what was sent). SafeSocketHandle's
/// own release is abortive (linger 0: a reset) unless a Socket closes it.
/// </summary>
internal sealed class RawDescriptorHandle : SafeHandle
{
    public RawDescriptorHandle(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    [DllImport("libc.so.6", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
