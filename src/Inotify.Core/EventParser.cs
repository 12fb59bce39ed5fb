using System.Buffers.Binary;

namespace Inotify;

/// <summary>One inotify_event record as it lies in a read() buffer; the name is a slice of that buffer.</summary>
internal readonly record struct RawEvent(int Wd, uint Mask, uint Cookie, int NameOffset, int NameLength);

/// <summary>What <see cref="EventParser.TryParse"/> found at an offset.</summary>
internal enum ParseStatus
{
    /// <summary>A whole record was decoded.</summary>
    Ok,

    /// <summary>The buffer ends exactly here.</summary>
    End,

    /// <summary>The bytes left cannot be a record (shorter than a header, or a name running past the end).</summary>
    Malformed,
}

/// <summary>
/// Decodes struct inotify_event { int32 wd; uint32 mask; uint32 cookie; uint32 len; char name[len]; }
/// in native byte order. A pure function over bytes: no state, no allocation, never reads past the span.
/// </summary>
internal static class EventParser
{
    internal const int HeaderSize = 16;

    /// <summary>NAME_MAX + 1, rounded up to the kernel's 16-byte padding, plus the header.</summary>
    internal const int MaxRecordSize = HeaderSize + 256;

    internal static ParseStatus TryParse(ReadOnlySpan<byte> buffer, ref int offset, out RawEvent ev)
    {
        ev = default;
        int remaining = buffer.Length - offset;
        if (remaining == 0)
        {
            return ParseStatus.End;
        }

        if (remaining < HeaderSize || offset < 0)
        {
            return ParseStatus.Malformed;
        }

        ReadOnlySpan<byte> header = buffer.Slice(offset, HeaderSize);
        int wd = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(header) : BinaryPrimitives.ReadInt32BigEndian(header);
        uint mask = ReadUInt32(header[4..]);
        uint cookie = ReadUInt32(header[8..]);
        uint len = ReadUInt32(header[12..]);
        if (len > (uint)(remaining - HeaderSize))
        {
            return ParseStatus.Malformed;
        }

        int nameOffset = offset + HeaderSize;
        ReadOnlySpan<byte> padded = buffer.Slice(nameOffset, (int)len);
        int nul = padded.IndexOf((byte)0);
        int nameLength = nul < 0 ? (int)len : nul;
        ev = new RawEvent(wd, mask, cookie, nameOffset, nameLength);
        offset = nameOffset + (int)len;
        return ParseStatus.Ok;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
}
