namespace MusterBot.Emulator.Sandbox;

/// <summary>The <c>Sandbox</c> section, used only when no bot token is configured.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Port of the embedded Bot API emulator on 127.0.0.1 (0 = any free port).</summary>
    public int EmulatorPort { get; set; }

    /// <summary>Seed the demo community on first start (see <see cref="SandboxDemo"/>).</summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>The language of the demo people: <c>zh</c> (default) or <c>en</c>.</summary>
    public string Language { get; set; } = "zh";
}
