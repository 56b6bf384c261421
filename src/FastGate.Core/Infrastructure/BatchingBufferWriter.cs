using System.Buffers;
using System.Runtime.CompilerServices;

namespace FastGate.Core.Infrastructure;

/// <summary>
/// Copies many small writes (the pieces of a message head) into the spans of an <see cref="IBufferWriter{T}"/> and
/// commits once per span: writing a request head piece by piece through the pipe cost a GetSpan and an Advance, both
/// interface calls, for each of ~24 pieces (~2,000 instructions per proxied request, callgrind, 2026-12-02).
/// Call <see cref="Commit"/> once at the end; nothing reaches the output before.
/// </summary>
internal ref struct BatchingBufferWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;

    public BatchingBufferWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan();
        _buffered = 0;
    }

    // Inlined: a literal's copy then has a constant length and compiles to a few moves instead of a Memmove call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(scoped ReadOnlySpan<byte> source)
    {
        if (source.Length <= _span.Length - _buffered)
        {
            source.CopyTo(_span[_buffered..]);
            _buffered += source.Length;
            return;
        }
        WriteAcrossSpans(source);
    }

    /// <summary>Hands what was written to the output.</summary>
    public void Commit()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
        }
        _span = default;
        _buffered = 0;
    }

    private void WriteAcrossSpans(scoped ReadOnlySpan<byte> source)
    {
        while (true)
        {
            var take = Math.Min(_span.Length - _buffered, source.Length);
            source[..take].CopyTo(_span[_buffered..]);
            _buffered += take;
            source = source[take..];
            if (source.IsEmpty)
            {
                return;
            }
            Commit();
            _span = _output.GetSpan(); // at least one byte
        }
    }
}
