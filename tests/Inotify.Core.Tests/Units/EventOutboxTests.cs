namespace Inotify.Core.Tests.Units;

/// <summary>The outbox with a queue drained by hand: numbering, batching, drops, markers and the gap.</summary>
public sealed class EventOutboxTests
{
    [Fact]
    public void EventsAreNumberedInOrderAndHandedOverOncePerBatch()
    {
        var sink = new FakeSink(100);
        var outbox = new EventOutbox(sink);
        using (outbox.Batch())
        {
            for (int i = 0; i < 10; i++)
            {
                Assert.True(outbox.Deliver(Synthetic.Create($"f{i}")));
            }

            Assert.Empty(sink.Items);
        }

        Assert.Equal(1, sink.HandOvers);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), sink.Items.Select(e => e.Sequence));
        Assert.Equal(10, outbox.Sequence);
    }

    [Fact]
    public void WhatDoesNotFitIsDroppedCountedAndMarkedWhereTheGapIs()
    {
        var sink = new FakeSink(8);
        var outbox = new EventOutbox(sink);
        for (int i = 0; i < 20; i++)
        {
            outbox.Deliver(Synthetic.Create($"f{i}"));
        }

        Assert.Equal(8, sink.Items.Count);
        Assert.Equal(12, outbox.DroppedCount);
        Assert.True(outbox.IsDropping);
        Assert.True(outbox.HasGap);
        Assert.False(outbox.TryCloseGap(out _), "the gap cannot close before its marker is placed");

        // The consumer makes room: the marker comes first, numbered after the dropped events it accounts for.
        List<InotifyEvent> first = sink.Take(8);
        outbox.FlushDropMarker(DateTime.UtcNow);
        outbox.Deliver(Synthetic.Create("after"));

        InotifyEvent marker = sink.Items[0];
        Assert.Equal(InotifyEventKind.EventsDropped, marker.Kind);
        Assert.Equal(12, marker.DroppedCount);
        Assert.Equal(first[^1].Sequence + 12 + 1, marker.Sequence);
        Assert.Equal(marker.Sequence + 1, sink.Items[1].Sequence);
        Assert.Equal("after", sink.Items[1].Name);
        Assert.True(outbox.TryCloseGap(out _));
        Assert.False(outbox.HasGap);
    }

    [Fact]
    public void AConsumerFreeingOnePlaceAtATimeDoesNotGetAMarkerPerEvent()
    {
        // Hysteresis: once dropping, the outbox waits for an eighth of the queue to be free before it resumes.
        var sink = new FakeSink(800);
        var outbox = new EventOutbox(sink);
        int read = 0, markers = 0;
        for (int i = 0; i < 40_000; i++)
        {
            outbox.Deliver(Synthetic.Create("f"));
            if (i % 2 == 0)
            {
                foreach (InotifyEvent e in sink.Take(1))
                {
                    read++;
                    markers += e.Kind == InotifyEventKind.EventsDropped ? 1 : 0;
                }
            }

            if (i % 500 == 0)
            {
                outbox.FlushDropMarker(DateTime.UtcNow);
            }
        }

        Assert.True(markers > 0);
        Assert.True(markers * 50 < read, $"{markers} of {read} events read were markers");
    }

    [Fact]
    public void EventsThatMustNotBeLostGoInOverCapacityAfterTheMarker()
    {
        var sink = new FakeSink(2);
        var outbox = new EventOutbox(sink);
        for (int i = 0; i < 5; i++)
        {
            outbox.Deliver(Synthetic.Create($"f{i}"));
        }

        Assert.True(outbox.Deliver(InotifyEvent.Overflow((uint)InotifyEventMask.QueueOverflow, DateTime.UtcNow), mustDeliver: true));

        Assert.Equal([InotifyEventKind.Create, InotifyEventKind.Create, InotifyEventKind.EventsDropped, InotifyEventKind.QueueOverflow], sink.Items.Select(e => e.Kind));
        Assert.Equal(3, sink.Items[2].DroppedCount);
        Assert.Equal(sink.Items.Select(e => e.Sequence).Order(), sink.Items.Select(e => e.Sequence));
    }

    [Fact]
    public void AGapOpenedByAnOverflowClosesOnceAndDatesFromTheLastRead()
    {
        var outbox = new EventOutbox(new FakeSink(10));
        var read = new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc);
        outbox.EndRead(read);
        outbox.OpenGap();
        outbox.OpenGap();

        Assert.True(outbox.TryCloseGap(out DateTime since));
        Assert.Equal(read, since);
        Assert.False(outbox.TryCloseGap(out _));
    }
}
