using System.Text;

namespace Inotify.Core.Tests;

/// <summary>File names are bytes: lossless decoding, and a path that works for names that are not UTF-8.</summary>
public sealed class NativeNameTests
{
    private static readonly byte[] BadName = [(byte)'b', (byte)'a', (byte)'d', 0xFF, (byte)'.', (byte)'t', (byte)'x', (byte)'t'];

    public static TheoryData<string, byte[]> Samples => new()
    {
        { "empty", [] },
        { "ascii", "plain.txt"u8.ToArray() },
        { "two-byte", "ünïcödé"u8.ToArray() },
        { "three-byte", "日本語.txt"u8.ToArray() },
        { "four-byte (surrogate pair)", "😀 and 💀.txt"u8.ToArray() },
        { "lone 0xFF", BadName },
        { "latin-1 é", [0x63, 0x61, 0x66, 0xE9] },
        { "truncated 3-byte sequence at the end", [0x61, 0xE6, 0x97] },
        { "truncated 4-byte sequence in the middle", [0xF0, 0x9F, 0x98, 0x61] },
        { "overlong slash", [0xC0, 0xAF] },
        { "UTF-8 encoded surrogate U+DC80", [0xED, 0xB2, 0x80] },
        { "UTF-8 encoded surrogate U+DCFF", [0xED, 0xB3, 0xBF] },
        { "beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "continuation bytes only", [0x80, 0x81, 0xBF] },
        { "valid char followed by an invalid byte", [0xF0, 0x9F, 0x92, 0x80, 0xFF] },
        { "every escapable byte", Enumerable.Range(0x80, 128).Select(b => (byte)b).ToArray() },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void DecodeThenEncodeGivesBackTheExactBytes(string what, byte[] bytes)
    {
        string s = NativeName.Decode(bytes, out bool valid);
        Assert.Equal(Utf8Valid(bytes), valid);
        Assert.True(bytes.AsSpan().SequenceEqual(NativeName.Encode(s)), what);
        Assert.DoesNotContain('\uFFFD', s);
        if (valid)
        {
            Assert.Equal(Encoding.UTF8.GetString(bytes), s);
        }
    }

    [Fact]
    public void RandomByteStringsRoundTrip()
    {
        var random = new Random(4242);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                // Mostly-valid UTF-8 with a few wrong bytes is where escaping and decoding meet.
                byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => char.ConvertFromUtf32(random.Next(0, 4) switch
                {
                    0 => random.Next(0x20, 0x7F),
                    1 => random.Next(0xA0, 0x800),
                    2 => random.Next(0x800, 0xD800),
                    _ => random.Next(0x10000, 0x110000),
                }))));
                for (int k = 0; k < random.Next(0, 3) && text.Length > 0; k++)
                {
                    text[random.Next(text.Length)] = (byte)random.Next(0x80, 0x100);
                }

                bytes = text;
            }

            string s = NativeName.Decode(bytes, out bool valid);
            byte[] back = NativeName.Encode(s);
            Assert.True(bytes.AsSpan().SequenceEqual(back), $"round trip failed for {Convert.ToHexString(bytes)}");
            Assert.Equal(Utf8Valid(bytes), valid);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void HasEscapedBytesIsTrueExactlyForNamesThatAreNotValidUtf8(string what, byte[] bytes)
    {
        string s = NativeName.Decode(bytes, out bool valid);
        Assert.True(!valid == NativeName.HasEscapedBytes(s), $"{what}: valid UTF-8 = {valid}, HasEscapedBytes = {NativeName.HasEscapedBytes(s)}");
    }

    [Theory]
    [InlineData("💀")] // U+1F480: its UTF-16 low surrogate is U+DC80
    [InlineData("x\U0001F4FF.txt")] // low surrogate U+DCFF
    [InlineData("𐂀")] // U+10080 = D800 DC80
    public void AValidNameWhoseSurrogatePairLooksLikeAnEscapeIsNotReportedAsEscaped(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        Assert.Equal(name, NativeName.Decode(bytes, out bool valid));
        Assert.True(valid);
        Assert.False(NativeName.HasEscapedBytes(name), $"{name} is valid UTF-8 but HasEscapedBytes says it holds escaped bytes");
        Assert.Equal(bytes, NativeName.Encode(name));
    }

    [Fact]
    public void AFileNamedWithAnInvalidByteRoundTripsThroughAnEventToAUsablePath()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.CloseWrite | InotifyEventMask.Delete);

        // Created with the test's own open(2) on the exact bytes, not through the engine.
        byte[] fullPath = [.. Encoding.UTF8.GetBytes(dir.Path + "/"), .. BadName];
        RawLibc.CreateFile(fullPath);

        InotifyEvent created = w.Expect(e => e.Kind == InotifyEventKind.Create, "the Create of bad\\xff.txt");
        Assert.Equal(BadName, created.GetRawName());
        Assert.False(created.NameIsValidUtf8);
        Assert.Equal("bad\uDCFF.txt", created.Name);
        Assert.DoesNotContain('\uFFFD', created.Path);
        Assert.Equal(dir.Path + "/bad\uDCFF.txt", created.Path);
        Assert.Equal(fullPath, NativeName.Encode(created.Path));

        // .NET's own APIs turn the escape into U+FFFD: the file is not found that way...
        Assert.False(File.Exists(created.Path));

        // ...but NativeFile opens, stats and deletes it by its exact bytes.
        using (FileStream s = NativeFile.Open(created.Path, FileMode.Open, FileAccess.Write))
        {
            s.Write("hello"u8);
        }

        Assert.Equal(InotifyEventKind.CloseWrite, w.Expect(e => e.Kind == InotifyEventKind.CloseWrite, "CloseWrite").Kind);
        NativeFileStatus st = NativeFile.Stat(created.Path);
        Assert.Equal(5, st.Size);
        Assert.False(st.IsDirectory);
        Assert.True(NativeFile.Exists(created.Path));
        using (FileStream r = NativeFile.Open(created.Path, FileMode.Open, FileAccess.Read))
        {
            byte[] content = new byte[16];
            Assert.Equal(5, r.Read(content));
            Assert.Equal("hello"u8.ToArray(), content[..5]);
        }

        NativeFile.Delete(created.Path);
        Assert.False(RawLibc.Exists(fullPath));
        InotifyEvent deleted = w.Expect(e => e.Kind == InotifyEventKind.Delete, "the Delete of bad\\xff.txt");
        Assert.Equal(BadName, deleted.GetRawName());
        Assert.Equal(created.Path, deleted.Path);
    }

    [Fact]
    public void ValidMultiByteNamesArriveAsTheUsualStringsAndWorkWithDotNetFileApis()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher(new InotifyWatcherOptions { PairRenames = false });
        w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.MovedTo);
        string name = "日本語 😀 ünï.txt";
        dir.CreateFile(name);
        InotifyEvent e = w.Expect(InotifyEventKind.Create, dir[name]);
        Assert.True(e.NameIsValidUtf8);
        Assert.Equal(name, e.Name);
        Assert.Equal(Encoding.UTF8.GetBytes(name), e.GetRawName());
        Assert.True(File.Exists(e.Path));
    }

    [Fact]
    public void ARenamedEventOfAValidNameWithAnAstralCharacterSaysTheNameIsValid()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.Move);
        dir.CreateFile("plain");
        w.Expect(InotifyEventKind.Create, dir["plain"]);

        // The Create of the same name (decoded lazily from the bytes) is right...
        dir.CreateFile("💀-created");
        Assert.True(w.Expect(InotifyEventKind.Create, dir["💀-created"]).NameIsValidUtf8);

        // ...and the Renamed event, built with a decoded name, must say the same.
        File.Move(dir["plain"], dir["💀.txt"]);
        InotifyEvent renamed = w.Expect(InotifyEventKind.Renamed, dir["💀.txt"]);
        Assert.Equal(dir["plain"], renamed.OldPath);
        Assert.Equal("💀.txt"u8.ToArray(), renamed.GetRawName());
        Assert.True(renamed.NameIsValidUtf8, "💀.txt is valid UTF-8, but the Renamed event says NameIsValidUtf8 = false");
    }

    [Fact]
    public void ARenameToAnInvalidNameKeepsTheBytesInTheRenamedEvent()
    {
        using var dir = new TempDir();
        using var w = new InotifyWatcher();
        w.Add(dir.Path, InotifyEventMask.Create | InotifyEventMask.Move);
        string from = dir.CreateFile("from");
        w.Expect(InotifyEventKind.Create, from);
        string to = dir.Path + "/bad\uDCFF.txt";
        File.Move(from, dir["intermediate"]);
        w.Expect(InotifyEventKind.Renamed, dir["intermediate"]);

        // rename(2) by bytes: NativeFile has no Move, so use a shell.
        using (var mv = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", "mv -- \"$1\" \"$2/$(printf 'bad\\377.txt')\"", "sh", dir["intermediate"], dir.Path]) { UseShellExecute = false })!)
        {
            mv.WaitForExit();
            Assert.Equal(0, mv.ExitCode);
        }

        InotifyEvent renamed = w.Expect(e => e.Kind == InotifyEventKind.Renamed, "Renamed to bad\\xff.txt");
        Assert.Equal(dir["intermediate"], renamed.OldPath);
        Assert.Equal(to, renamed.Path);
        Assert.Equal(BadName, renamed.GetRawName());
        Assert.False(renamed.NameIsValidUtf8);
        NativeFile.Delete(renamed.Path);
    }

    private static bool Utf8Valid(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
