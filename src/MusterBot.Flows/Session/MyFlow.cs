using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;

namespace MusterBot.Flows.Session;

/// <summary>/my: what the person has going on — open musters first, then wishes (and later complaints).</summary>
public sealed class MyFlow(TextCatalog texts, IEnumerable<IMySection> sections) : IFlow
{
    public const string FlowName = "my";

    private readonly IReadOnlyList<IMySection> _sections = sections.OrderBy(s => s.Order).ToList();

    public string Name => FlowName;

    public IReadOnlyCollection<string> Commands { get; } = ["my"];

    public bool OwnsButton(string data) => false;

    public async ValueTask HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shown = false;
        foreach (var section in _sections)
        {
            shown |= await section.ShowAsync(context, cancellationToken).ConfigureAwait(false);
        }

        if (!shown)
        {
            context.Reply(context.T("my.nothing"), CommandCatalog.Menu(context.Roles, context.Language, texts, context.Emergency));
        }
    }

    public string ToMermaid() => "stateDiagram-v2\n    [*] --> Idle\n";
}
