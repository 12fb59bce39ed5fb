using System.Management.Automation;

namespace InotifyPS;

/// <summary>Get-InotifyLimit: the kernel's inotify limits and who uses them (this process and every process this user can inspect).</summary>
[Cmdlet(VerbsCommon.Get, "InotifyLimit")]
[OutputType(typeof(InotifyLimitInfo))]
public sealed class GetInotifyLimitCommand : InotifyCmdlet
{
    /// <inheritdoc/>
    protected override void EndProcessing() => WriteObject(InotifyLimitInfo.Collect());
}
