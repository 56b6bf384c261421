using System.Buffers;

namespace FastGate.Benchmarks;

/// <summary>A head split into fixed-size segments, as a pipe delivers one that arrived in several TCP segments.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(byte[] data, int segmentSize)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < data.Length; offset += segmentSize)
        {
            var next = new Segment(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)), offset);
            if (last is null)
            {
                first = next;
            }
            else
            {
                last.SetNext(next);
            }
            last = next;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
