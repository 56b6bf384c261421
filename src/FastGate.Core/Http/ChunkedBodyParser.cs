using System.Buffers;

namespace FastGate.Core.Http;

/// <summary>
/// Walks a chunked body (RFC 9112 §7.1) piece by piece so a relay can copy the bytes verbatim (or only the data)
/// while knowing exactly where the body ends. Chunk sizes are hex only and bounded; extensions and trailers are
/// syntax-checked and size-limited. A mutable struct: keep it in a field, never copy it mid-body.
/// </summary>
internal struct ChunkedBodyParser
{
    public const int MaxChunkLineBytes = 4096;
    public const int MaxTrailerBytes = 16 * 1024;

    private enum State : byte { Size, Data, DataCrLf, Trailer, Done }

    private State _state;
    private long _remaining;
    private int _trailerBytes;

    public readonly bool IsComplete => _state == State.Done;

    public void Reset()
    {
        _state = State.Size;
        _remaining = 0;
        _trailerBytes = 0;
    }

    /// <summary>Classifies the next piece of <paramref name="input"/>; <paramref name="length"/> is how many bytes it covers.</summary>
    public ChunkedPiece Next(in ReadOnlySequence<byte> input, out long length)
    {
        length = 0;
        if (input.IsEmpty)
        {
            return _state == State.Done ? ChunkedPiece.End : ChunkedPiece.NeedMoreData;
        }
        switch (_state)
        {
            case State.Data:
                length = Math.Min(_remaining, input.Length);
                _remaining -= length;
                if (_remaining == 0)
                {
                    _state = State.DataCrLf;
                }
                return ChunkedPiece.Data;

            case State.DataCrLf:
                if (input.Length < 2)
                {
                    return input.FirstSpan[0] == (byte)'\r' ? ChunkedPiece.NeedMoreData : ChunkedPiece.Invalid;
                }
                Span<byte> crlf = stackalloc byte[2];
                input.Slice(0, 2).CopyTo(crlf);
                if (crlf[0] != (byte)'\r' || crlf[1] != (byte)'\n')
                {
                    return ChunkedPiece.Invalid;
                }
                length = 2;
                _state = State.Size;
                return ChunkedPiece.Framing;

            case State.Size:
                return ReadSizeLine(input, out length);

            case State.Trailer:
                return ReadTrailerLine(input, out length);

            default:
                return ChunkedPiece.Invalid; // nothing may follow the end of the body within it
        }
    }

    private ChunkedPiece ReadSizeLine(in ReadOnlySequence<byte> input, out long length)
    {
        length = 0;
        // Only a line that spans segments needs the scratch copy (and its zeroing).
        Span<byte> scratch = input.IsSingleSegment || input.FirstSpan.Contains((byte)'\n') ? default : stackalloc byte[MaxChunkLineBytes];
        var line = FindLine(input, scratch, out var lineLength);
        if (lineLength < 0)
        {
            return lineLength == -1 ? ChunkedPiece.NeedMoreData : ChunkedPiece.Invalid;
        }

        // chunk-size = 1*HEXDIG, then optional BWS ";" extensions
        var digits = line.IndexOfAnyExcept(HttpCharacters.HexDigits);
        if (digits < 0)
        {
            digits = line.Length;
        }
        if (digits == 0 || digits > 15)
        {
            return ChunkedPiece.Invalid; // no size, or one that could overflow (15 hex digits < 2^60)
        }
        long size = 0;
        for (var i = 0; i < digits; i++)
        {
            size = (size << 4) | (long)HexValue(line[i]);
        }
        var rest = line[digits..];
        if (!rest.IsEmpty)
        {
            var ws = rest.IndexOfAnyExcept((byte)' ', (byte)'\t');
            if (ws < 0 || rest[ws] != (byte)';' || HttpCharacters.ContainsInvalidFieldValueByte(rest))
            {
                return ChunkedPiece.Invalid;
            }
        }
        length = lineLength;
        if (size == 0)
        {
            _state = State.Trailer;
        }
        else
        {
            _remaining = size;
            _state = State.Data;
        }
        return ChunkedPiece.Framing;
    }

    private ChunkedPiece ReadTrailerLine(in ReadOnlySequence<byte> input, out long length)
    {
        length = 0;
        // Only a line that spans segments needs the scratch copy (and its zeroing).
        Span<byte> scratch = input.IsSingleSegment || input.FirstSpan.Contains((byte)'\n') ? default : stackalloc byte[MaxChunkLineBytes];
        var line = FindLine(input, scratch, out var lineLength);
        if (lineLength < 0)
        {
            return lineLength == -1 ? ChunkedPiece.NeedMoreData : ChunkedPiece.Invalid;
        }
        length = lineLength;
        if (line.IsEmpty)
        {
            _state = State.Done;
            return ChunkedPiece.End;
        }
        _trailerBytes += lineLength;
        var colon = line.IndexOf((byte)':');
        if (_trailerBytes > MaxTrailerBytes || colon <= 0 || line[..colon].ContainsAnyExcept(HttpCharacters.Token)
            || HttpCharacters.ContainsInvalidFieldValueByte(line[(colon + 1)..]))
        {
            return ChunkedPiece.Invalid;
        }
        return ChunkedPiece.Framing;
    }

    /// <summary>
    /// The line at the start of input without its CRLF. <paramref name="lineLength"/> (with CRLF) is -1 when more
    /// input is needed and -2 when the line is too long or ends in a bare LF.
    /// </summary>
    private static ReadOnlySpan<byte> FindLine(in ReadOnlySequence<byte> input, Span<byte> scratch, out int lineLength)
    {
        ReadOnlySpan<byte> span;
        if (scratch.IsEmpty || input.FirstSpan.Length >= MaxChunkLineBytes)
        {
            span = input.FirstSpan;
        }
        else
        {
            var n = (int)Math.Min(input.Length, scratch.Length);
            input.Slice(0, n).CopyTo(scratch);
            span = scratch[..n];
        }
        var lf = span.IndexOf((byte)'\n');
        if (lf < 0)
        {
            lineLength = span.Length >= MaxChunkLineBytes ? -2 : -1;
            return default;
        }
        if (lf == 0 || span[lf - 1] != (byte)'\r' || lf + 1 > MaxChunkLineBytes)
        {
            lineLength = -2;
            return default;
        }
        lineLength = lf + 1;
        var line = span[..(lf - 1)];
        if (line.Contains((byte)'\r'))
        {
            lineLength = -2;
            return default;
        }
        return line;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
