// inotify exists only on Linux; so do these tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
