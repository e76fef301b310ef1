namespace MusterBot.Flows.Runtime;

/// <summary>
/// One part of /my (open musters, wishes, complaints…): each capability shows what it has for the person.
/// </summary>
public interface IMySection
{
    /// <summary>Position in /my (lower first).</summary>
    int Order { get; }

    /// <summary>Adds the section's messages; returns false when it had nothing to show.</summary>
    ValueTask<bool> ShowAsync(FlowContext context, CancellationToken cancellationToken);
}
