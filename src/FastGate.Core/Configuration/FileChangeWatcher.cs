using System.Security.Cryptography;

namespace FastGate.Core.Configuration;

/// <summary>
/// Notices when any of a set of files changes, by comparing a hash of their contents on a timer. Polling content,
/// not inotify, so every way a file can change is seen: in-place edits, editors' rename-over, and Kubernetes'
/// "..data" symlink swaps of secret and ConfigMap mounts. Thread-safe.
/// </summary>
/// <remarks>
/// The baseline a change is measured against must describe what the gateway read, taken before it read it: a baseline
/// taken from the disk after a load would silently absorb a write that landed in between (a config file completed
/// while a reload was parsing its first half, or replaced while certificates were loading), and that content would
/// never be loaded. So the configuration file's entry comes from the bytes the loader parsed, and the
/// other files are hashed before the snapshot reads them; a change after that is seen, at worst as one reload more.
/// </remarks>
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

    /// <summary>Watch these files from now on, against a baseline <see cref="Fingerprint"/> took before (or from) what was read.</summary>
    public void Watch(IReadOnlyList<string> files, byte[] baseline)
    {
        lock (_lock)
        {
            _files = files;
            _fingerprint = baseline;
        }
    }

    /// <summary>
    /// The files' contents as one hash. When <paramref name="readFile"/> is given, its entry is
    /// <paramref name="readContent"/>, the bytes a loader already read from it (null: it could not read it); every
    /// other file is read now.
    /// </summary>
    public static byte[] Fingerprint(IReadOnlyList<string> files, string? readFile = null, byte[]? readContent = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
            var content = readFile is not null && file == readFile ? readContent : ReadOrNull(file);
            if (content is null)
            {
                hash.AppendData([0]); // missing or unreadable
            }
            else
            {
                hash.AppendData([1]);
                hash.AppendData(SHA256.HashData(content));
            }
        }
        return hash.GetHashAndReset();
    }

    private static byte[]? ReadOrNull(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
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
                    // A broken file is reported once, not every tick. Taken before the reload reads the files, so a
                    // reload that fails before it sets a baseline of its own (a bind failure) leaves a correct one.
                    _fingerprint = now;
                }
                _onChange();
            }
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
