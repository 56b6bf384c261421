using System.Security.Cryptography;

namespace FastGate.Core.Configuration;

/// <summary>
/// Notices when any of a set of files changes, by comparing a hash of their contents on a timer. Polling content,
/// not inotify, so every way a file can change is seen: in-place edits, editors' rename-over, and Kubernetes'
/// "..data" symlink swaps of secret and ConfigMap mounts. Thread-safe.
/// </summary>
internal sealed class FileChangeWatcher : IDisposable
{
    private readonly Timer _timer;
    private readonly Action _onChange;
    private readonly Lock _lock = new();
    private IReadOnlyList<string> _files = [];
    private byte[] _fingerprint = [];
    private int _checking;

    public FileChangeWatcher(TimeSpan interval, Action onChange)
    {
        _onChange = onChange;
        _timer = new Timer(static self => ((FileChangeWatcher)self!).Check(), this, interval, interval);
    }

    /// <summary>Watch these files from now on; their current content is the baseline.</summary>
    public void Watch(IReadOnlyList<string> files)
    {
        var fingerprint = Fingerprint(files);
        lock (_lock)
        {
            _files = files;
            _fingerprint = fingerprint;
        }
    }

    private void Check()
    {
        if (Interlocked.Exchange(ref _checking, 1) != 0)
        {
            return;
        }
        try
        {
            IReadOnlyList<string> files;
            byte[] before;
            lock (_lock)
            {
                files = _files;
                before = _fingerprint;
            }
            var now = Fingerprint(files);
            if (!now.AsSpan().SequenceEqual(before))
            {
                lock (_lock)
                {
                    _fingerprint = now; // a broken file is reported once, not every tick
                }
                _onChange();
            }
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private static byte[] Fingerprint(IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
            try
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                hash.AppendData("(missing)"u8);
            }
        }
        return hash.GetHashAndReset();
    }

    public void Dispose() => _timer.Dispose();
}
