using System.Buffers;
using FastGate.Core.Infrastructure;

namespace FastGate.Tests.Infrastructure;

public sealed class BatchingBufferWriterTests
{
    /// <summary>An output that hands out spans of at most <c>spanSize</c> bytes and counts its calls.</summary>
    private sealed class NarrowWriter(int spanSize) : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public int Advances { get; private set; }
        public byte[] Written => _written.ToArray();

        public Span<byte> GetSpan(int sizeHint = 0) => (_current = new byte[Math.Max(spanSize, sizeHint)]).AsSpan();

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException();

        public void Advance(int count)
        {
            Assert.InRange(count, 1, _current.Length);
            _written.AddRange(_current.AsSpan(0, count).ToArray());
            Advances++;
        }
    }

    [Fact]
    public void SmallWrites_ReachTheOutputWithOneAdvance()
    {
        var output = new NarrowWriter(4096);
        var writer = new BatchingBufferWriter(output);
        for (var i = 0; i < 24; i++)
        {
            writer.Write("X-Header: value\r\n"u8);
        }
        Assert.Equal(0, output.Advances); // nothing before Commit
        writer.Commit();

        Assert.Equal(1, output.Advances);
        Assert.Equal(string.Concat(Enumerable.Repeat("X-Header: value\r\n", 24)), System.Text.Encoding.ASCII.GetString(output.Written));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void WritesLargerThanTheSpans_ArriveWholeAndInOrder(int spanSize)
    {
        var output = new NarrowWriter(spanSize);
        var expected = new List<byte>();
        var writer = new BatchingBufferWriter(output);
        for (var i = 0; i < 50; i++)
        {
            var piece = Enumerable.Range(0, i * 3).Select(n => (byte)(n + i)).ToArray();
            writer.Write(piece);
            expected.AddRange(piece);
        }
        writer.Commit();

        Assert.Equal(expected.ToArray(), output.Written);
    }

    [Fact]
    public void NothingWritten_CommitsNothing()
    {
        var output = new NarrowWriter(16);
        var writer = new BatchingBufferWriter(output);
        writer.Write(ReadOnlySpan<byte>.Empty);
        writer.Commit();
        Assert.Equal(0, output.Advances);
    }
}
