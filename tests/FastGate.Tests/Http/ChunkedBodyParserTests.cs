using System.Buffers;
using System.Text;
using FastGate.Core.Http;
using FastGate.Tests.TestInfrastructure;

namespace FastGate.Tests.Http;

public sealed class ChunkedBodyParserTests
{
    /// <summary>Feeds input as a relay would (pieces, then more bytes); returns data, all bytes consumed, and the final piece.</summary>
    private static (string Data, int Consumed, ChunkedPiece Last) Run(string body, int segmentSize = int.MaxValue)
    {
        var bytes = Encoding.ASCII.GetBytes(body);
        var parser = new ChunkedBodyParser();
        var data = new StringBuilder();
        var consumed = 0;
        var available = 0;
        while (true)
        {
            available = Math.Min(bytes.Length, available + Math.Min(segmentSize, bytes.Length));
            var input = Segments.Split(bytes[consumed..available], Math.Max(1, Math.Min(segmentSize, 3)));
            long offset = 0;
            ChunkedPiece piece;
            while (true)
            {
                piece = parser.Next(input.Slice(offset), out var length);
                if (piece is ChunkedPiece.NeedMoreData or ChunkedPiece.Invalid)
                {
                    break;
                }
                if (piece == ChunkedPiece.Data)
                {
                    data.Append(Encoding.ASCII.GetString(input.Slice(offset, length).ToArray()));
                }
                offset += length;
                if (piece == ChunkedPiece.End)
                {
                    return (data.ToString(), consumed + (int)offset, piece);
                }
            }
            consumed += (int)offset;
            if (piece == ChunkedPiece.Invalid || available == bytes.Length)
            {
                return (data.ToString(), consumed, piece);
            }
        }
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Next_ValidBody_DataAndExactEnd(int segmentSize)
    {
        const string body = "5\r\nhello\r\nA;ext=\"v\"\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
        var (data, consumed, last) = Run(body + "NEXT REQUEST", segmentSize);
        Assert.Equal(ChunkedPiece.End, last);
        Assert.Equal("hello0123456789", data);
        Assert.Equal(body.Length, consumed);
    }

    [Theory]
    [InlineData("0\r\n\r\n", "")]
    [InlineData("1 ;x\r\na\r\n0\r\n\r\n", "a")]
    [InlineData("00000001\r\nb\r\n0\r\n\r\n", "b")]
    public void Next_EdgeCases_Accepted(string body, string expected)
    {
        var (data, _, last) = Run(body);
        Assert.Equal(ChunkedPiece.End, last);
        Assert.Equal(expected, data);
    }

    [Theory]
    [InlineData("g\r\n")]
    [InlineData("\r\n")]
    [InlineData(" 5\r\nhello\r\n")]
    [InlineData("-5\r\n")]
    [InlineData("0x5\r\n")]
    [InlineData("5 5\r\n")]
    [InlineData("1000000000000000\r\n")]
    [InlineData("5\nhello\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    [InlineData("5;a\0b\r\n")]
    [InlineData("0\r\nbad trailer\r\n\r\n")]
    public void Next_Malformed_Invalid(string body)
    {
        Assert.Equal(ChunkedPiece.Invalid, Run(body).Last);
    }

    [Fact]
    public void Next_OverlongSizeLine_InvalidInsteadOfWaitingForever()
    {
        var body = "5;" + new string('e', ChunkedBodyParser.MaxChunkLineBytes + 10);
        Assert.Equal(ChunkedPiece.Invalid, Run(body).Last);
    }

    [Fact]
    public void Next_IncompleteBody_NeedsMoreData()
    {
        Assert.Equal(ChunkedPiece.NeedMoreData, Run("5\r\nhel").Last);
        Assert.Equal(ChunkedPiece.NeedMoreData, Run("5\r\nhello\r\n0\r\n").Last);
    }
}
