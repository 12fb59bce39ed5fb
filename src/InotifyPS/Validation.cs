using System.Globalization;
using System.Management.Automation;
using Inotify;

namespace InotifyPS;

/// <summary>
/// -Event takes events to ask for: not IsDirectory (a property of an event), Ignored or QueueOverflow (reported
/// whatever the mask says), nor None. Refused at binding, so nothing is silently dropped from the mask.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateEventMaskAttribute : ValidateArgumentsAttribute
{
    /// <summary>The bits a watch can ask for: every event, Unmount, and the engine's Ready.</summary>
    public const InotifyEventMask Askable = InotifyEventMask.All | InotifyEventMask.Unmount | InotifyEventMask.Ready;

    /// <inheritdoc/>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        object value = arguments is PSObject ps ? ps.BaseObject : arguments;
        if (value is not InotifyEventMask mask)
        {
            return;
        }

        if (mask == InotifyEventMask.None)
        {
            throw new ValidationMetadataException("Ask for at least one event, e.g. -Event CloseWrite, MovedTo (All asks for every event).");
        }

        InotifyEventMask refused = mask & ~Askable;
        if (refused != InotifyEventMask.None)
        {
            throw new ValidationMetadataException(string.Create(CultureInfo.InvariantCulture,
                $"{refused} cannot be asked for: Ignored and QueueOverflow are reported whatever -Event says, and IsDirectory is a property of an event (filter with Where-Object IsDirectory). Ask for events such as Ready, CloseWrite, Create, Delete, MovedTo, or All."));
        }
    }
}

/// <summary>-Timeout is seconds: 0 or more (fractions allowed), or -1 for no deadline. Any other negative number is refused.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateTimeoutAttribute : ValidateArgumentsAttribute
{
    /// <inheritdoc/>
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        object value = arguments is PSObject ps ? ps.BaseObject : arguments;
        if (value is double seconds && !(seconds >= 0 || seconds == -1))
        {
            throw new ValidationMetadataException(string.Create(CultureInfo.InvariantCulture,
                $"The timeout {seconds} is not 0 or more seconds, nor -1 (no deadline)."));
        }
    }
}
