using System.Buffers.Binary;
using System.Text;

namespace Inotify.Core.Tests;

/// <summary>The pure parser over crafted buffers, and over what a real inotify descriptor writes.</summary>
public sealed class EventParserTests
{
    [Fact]
    public void SeveralRecordsInOneBufferParseInOrderWithNamesCutAtTheFirstNul()
    {
        byte[] buffer = Concat(
            Record(1, 0x100, 0, "a.txt"),
            Record(1, 0x200 | 0x40000000, 0, "sub"),
            Record(2, 0x400, 0, null),
            Record(3, 0x40, 77, "exactly-16-bytes"));
        int offset = 0;
        var parsed = new List<RawEvent>();
        while (EventParser.TryParse(buffer, ref offset, out RawEvent ev) is ParseStatus.Ok)
        {
            parsed.Add(ev);
        }

        Assert.Equal(buffer.Length, offset);
        Assert.Equal(ParseStatus.End, EventParser.TryParse(buffer, ref offset, out _));
        Assert.Equal(4, parsed.Count);
        Assert.Equal([1, 1, 2, 3], parsed.Select(e => e.Wd));
        Assert.Equal([0x100u, 0x40000200u, 0x400u, 0x40u], parsed.Select(e => e.Mask));
        Assert.Equal(77u, parsed[3].Cookie);
        Assert.Equal(["a.txt", "sub", "", "exactly-16-bytes"], parsed.Select(e => Name(buffer, e)));

        // NUL padding: "a.txt" takes 16 bytes after its header; the name is the 5 before the first NUL.
        Assert.Equal(16, parsed[0].NameOffset);
        Assert.Equal(5, parsed[0].NameLength);
        Assert.Equal(16 + 16 + 16, parsed[1].NameOffset);
    }

    [Fact]
    public void ANameOfSixteenBytesGetsAFullBlockOfPaddingAndANameWithoutAnyNulIsTakenWhole()
    {
        // The kernel pads strlen+1 up to 16: a 16-byte name occupies 32 bytes.
        byte[] padded = Record(5, 0x100, 0, "0123456789abcdef");
        Assert.Equal(16 + 32, padded.Length);
        int offset = 0;
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(padded, ref offset, out RawEvent ev));
        Assert.Equal("0123456789abcdef", Name(padded, ev));

        // A len that holds no NUL at all (not what the kernel writes, but the parser must not run past it).
        byte[] unterminated = Header(5, 0x100, 0, 16).Concat(Encoding.ASCII.GetBytes("ABCDEFGHIJKLMNOP")).ToArray();
        offset = 0;
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(unterminated, ref offset, out ev));
        Assert.Equal(16, ev.NameLength);
        Assert.Equal(unterminated.Length, offset);
    }

    [Fact]
    public void AMaximalRecordWithA255ByteNameIs272Bytes()
    {
        string name = new('n', 255);
        byte[] buffer = Concat(Record(9, 0x100, 0, name), Record(9, 0x200, 0, "next"));
        Assert.Equal(EventParser.MaxRecordSize + 16 + 16, buffer.Length);
        int offset = 0;
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(buffer, ref offset, out RawEvent ev));
        Assert.Equal(255, ev.NameLength);
        Assert.Equal(name, Name(buffer, ev));
        Assert.Equal(272, offset);
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(buffer, ref offset, out ev));
        Assert.Equal("next", Name(buffer, ev));
    }

    [Fact]
    public void ARecordThatEndsExactlyAtTheBufferEndIsWholeAndThenTheBufferEnds()
    {
        byte[] buffer = Concat(Record(1, 0x100, 0, "x"), Record(1, 0x100, 0, new string('y', 40)));
        int offset = 0;
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(buffer, ref offset, out _));
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(buffer, ref offset, out RawEvent last));
        Assert.Equal(buffer.Length, offset);
        Assert.Equal(buffer.Length, last.NameOffset + 48);
        Assert.Equal(40, last.NameLength);
        Assert.Equal(ParseStatus.End, EventParser.TryParse(buffer, ref offset, out _));

        // A header-only record at the very end.
        byte[] headerOnly = Concat(Record(1, 0x100, 0, "x"), Record(-1, 0x4000, 0, null));
        offset = 0;
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(headerOnly, ref offset, out _));
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(headerOnly, ref offset, out RawEvent overflow));
        Assert.Equal(-1, overflow.Wd);
        Assert.Equal(0x4000u, overflow.Mask);
        Assert.Equal(0, overflow.NameLength);
        Assert.Equal(ParseStatus.End, EventParser.TryParse(headerOnly, ref offset, out _));
    }

    [Fact]
    public void AnEmptyBufferIsTheEnd()
    {
        int offset = 0;
        Assert.Equal(ParseStatus.End, EventParser.TryParse([], ref offset, out _));
        Assert.Equal(0, offset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    public void ATruncatedHeaderIsMalformed(int length)
    {
        byte[] buffer = Record(1, 0x100, 0, null)[..length];
        int offset = 0;
        Assert.Equal(ParseStatus.Malformed, EventParser.TryParse(buffer, ref offset, out _));
        Assert.Equal(0, offset);

        // The same after a good record.
        byte[] after = Concat(Record(1, 0x100, 0, "ok"), buffer);
        offset = 0;
        Assert.Equal(ParseStatus.Ok, EventParser.TryParse(after, ref offset, out _));
        int before = offset;
        Assert.Equal(ParseStatus.Malformed, EventParser.TryParse(after, ref offset, out _));
        Assert.Equal(before, offset);
    }

    [Theory]
    [InlineData(16u, 15)]
    [InlineData(32u, 16)]
    [InlineData(256u, 255)]
    [InlineData(uint.MaxValue, 64)]
    [InlineData(0x80000000u, 64)]
    [InlineData(0x7FFFFFFFu, 64)]
    public void ANameRunningPastTheEndIsMalformed(uint len, int bytesPresent)
    {
        byte[] buffer = Header(1, 0x100, 0, len).Concat(new byte[bytesPresent]).ToArray();
        int offset = 0;
        Assert.Equal(ParseStatus.Malformed, EventParser.TryParse(buffer, ref offset, out _));
        Assert.Equal(0, offset);
    }

    [Fact]
    public void OffsetsOutsideTheBufferAreMalformedNotExceptions()
    {
        byte[] buffer = Record(1, 0x100, 0, "a");
        int offset = -1;
        Assert.Equal(ParseStatus.Malformed, EventParser.TryParse(buffer, ref offset, out _));
        offset = buffer.Length + 1;
        Assert.Equal(ParseStatus.Malformed, EventParser.TryParse(buffer, ref offset, out _));
        offset = int.MinValue;
        Assert.Equal(ParseStatus.Malformed, EventParser.TryParse(buffer, ref offset, out _));
    }

    [Fact]
    public void RandomGarbageNeverCrashesNeverLoopsAndNeverPointsOutsideTheBuffer()
    {
        var random = new Random(20240611);
        int ok = 0, malformed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] buffer = new byte[random.Next(0, 1024)];
            random.NextBytes(buffer);
            if (i % 3 == 0)
            {
                // Plausible lengths, so that many records parse and the walk goes deep.
                for (int at = 12; at + 4 <= buffer.Length; at += 16 + (16 * random.Next(0, 3)))
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), (uint)(16 * random.Next(0, 3)));
                }
            }

            int offset = 0;
            int steps = 0;
            while (true)
            {
                int before = offset;
                ParseStatus status = EventParser.TryParse(buffer, ref offset, out RawEvent ev);
                if (status == ParseStatus.End)
                {
                    Assert.Equal(buffer.Length, offset);
                    break;
                }

                if (status == ParseStatus.Malformed)
                {
                    Assert.Equal(before, offset);
                    malformed++;
                    break;
                }

                ok++;
                Assert.True(offset >= before + EventParser.HeaderSize, "Ok must consume at least a header");
                Assert.True(offset <= buffer.Length);
                Assert.Equal(before + EventParser.HeaderSize, ev.NameOffset);
                Assert.InRange(ev.NameLength, 0, offset - ev.NameOffset);
                Assert.True(++steps <= buffer.Length / EventParser.HeaderSize);
            }
        }

        Assert.True(ok > 1000 && malformed > 1000, $"the garbage should exercise both outcomes: ok={ok} malformed={malformed}");
    }

    [Fact]
    public void TheParserReadsWhatARealInotifyDescriptorWrites()
    {
        using var dir = new TempDir();
        int fd = RawLibc.InotifyInit1(RawLibc.IN_CLOEXEC | RawLibc.IN_NONBLOCK);
        Assert.True(fd >= 0);
        try
        {
            int wd = RawLibc.AddWatch(fd, dir.Path, (uint)(InotifyEventMask.Create | InotifyEventMask.Delete));
            Assert.True(wd > 0);
            string[] names = ["a", new string('b', 15), new string('c', 16), new string('d', 255), "ünï", "sub"];
            foreach (string n in names[..^1])
            {
                dir.CreateFile(n);
            }

            dir.CreateDirectory(names[^1]);
            File.Delete(dir["a"]);

            byte[] buffer = new byte[64 * 1024];
            int length = RawLibc.ReadInto(fd, buffer);
            Assert.True(length > 0);
            var parsed = new List<(RawEvent Ev, string Name)>();
            int offset = 0;
            while (EventParser.TryParse(buffer.AsSpan(0, length), ref offset, out RawEvent ev) is ParseStatus.Ok)
            {
                parsed.Add((ev, Name(buffer, ev)));
            }

            Assert.Equal(length, offset);
            Assert.Equal([.. names, "a"], parsed.Select(p => p.Name));
            Assert.All(parsed, p => Assert.Equal(wd, p.Ev.Wd));
            Assert.Equal(0x100u | 0x40000000u, parsed[^2].Ev.Mask);
            Assert.Equal(0x200u, parsed[^1].Ev.Mask);
        }
        finally
        {
            RawLibc.Close(fd);
        }
    }

    private static string Name(byte[] buffer, RawEvent ev) => Encoding.UTF8.GetString(buffer, ev.NameOffset, ev.NameLength);

    private static byte[] Header(int wd, uint mask, uint cookie, uint len)
    {
        byte[] h = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(h, wd);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), mask);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(12), len);
        return h;
    }

    /// <summary>A record as the kernel writes it: len = roundup(strlen + 1, 16), NUL-padded; 0 without a name.</summary>
    private static byte[] Record(int wd, uint mask, uint cookie, string? name)
    {
        byte[] n = name is null ? [] : Encoding.UTF8.GetBytes(name);
        int len = n.Length == 0 ? 0 : (n.Length + 1 + 15) / 16 * 16;
        byte[] r = new byte[16 + len];
        Header(wd, mask, cookie, (uint)len).CopyTo(r, 0);
        n.CopyTo(r, 16);
        return r;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
