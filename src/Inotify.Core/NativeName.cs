using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Inotify;

/// <summary>
/// Linux file names are bytes, not text. This converts between those bytes and .NET strings without
/// losing anything: valid UTF-8 becomes the usual string, and each byte that is not part of valid
/// UTF-8 becomes the lone surrogate U+DC80..U+DCFF (the scheme Python calls "surrogateescape").
/// Valid UTF-8 never decodes to a lone surrogate, so the mapping is reversible.
/// </summary>
/// <remarks>
/// .NET's own file APIs encode a path string as UTF-8 and replace a lone surrogate with U+FFFD, so a
/// string holding an escaped byte cannot be passed to File.Open. Use <see cref="NativeFile"/> for such
/// paths: it turns the string back into the exact bytes before calling the kernel.
/// </remarks>
public static class NativeName
{
    private const char EscapeBase = '\uDC00';

    /// <summary>Decodes name bytes; <paramref name="isValidUtf8"/> says whether any byte had to be escaped.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, out bool isValidUtf8)
    {
        isValidUtf8 = Utf8.IsValid(bytes);
        return isValidUtf8 ? Encoding.UTF8.GetString(bytes) : DecodeEscaped(bytes);
    }

    /// <summary>Decodes name or path bytes losslessly.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => Decode(bytes, out _);

    /// <summary>True when the string holds escaped bytes, i.e. it names something that is not valid UTF-8.</summary>
    public static bool HasEscapedBytes(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (int i = 0; i < value.Length; i++)
        {
            // A low surrogate right after a high one is half of a valid astral character, not an escape.
            if (IsEscape(value, i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exact bytes a decoded string stands for.</summary>
    public static byte[] Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!HasEscapedBytes(value))
        {
            return Encoding.UTF8.GetBytes(value);
        }

        var bytes = new List<byte>(value.Length + 8);
        Span<byte> scratch = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (IsEscape(value, i))
            {
                bytes.Add((byte)(c - EscapeBase));
                continue;
            }

            int written;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                written = new Rune(c, value[i + 1]).EncodeToUtf8(scratch);
                i++;
            }
            else
            {
                written = Rune.TryCreate(c, out Rune r) ? r.EncodeToUtf8(scratch) : Rune.ReplacementChar.EncodeToUtf8(scratch);
            }

            for (int k = 0; k < written; k++)
            {
                bytes.Add(scratch[k]);
            }
        }

        return [.. bytes];
    }

    /// <summary>Encodes to a NUL-terminated byte array, as the kernel wants a path.</summary>
    internal static byte[] EncodeNullTerminated(string value)
    {
        byte[] body = Encode(value);
        var result = new byte[body.Length + 1];
        body.CopyTo(result, 0);
        return result;
    }

    private static bool IsEscape(string value, int i) =>
        value[i] >= '\uDC80' && value[i] <= '\uDCFF' && !(i > 0 && char.IsHighSurrogate(value[i - 1]));

    private static string DecodeEscaped(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            OperationStatus status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                sb.Append(rune.ToString());
            }
            else
            {
                // DecodeFromUtf8 consumes the maximal invalid subsequence; escape each of its bytes.
                for (int k = 0; k < consumed; k++)
                {
                    sb.Append((char)(EscapeBase + bytes[k]));
                }
            }

            bytes = bytes[consumed..];
        }

        return sb.ToString();
    }
}
