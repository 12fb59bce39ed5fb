namespace Inotify.Core.Tests;

/// <summary>
/// Tests that change machine-wide state (/proc/sys/fs/inotify/*) or measure process-wide counts
/// (descriptors, threads, this process's watches). xunit runs this collection alone, after the
/// parallel ones, so nothing else in the process runs meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial: machine-wide limits and process-wide counts";
}
