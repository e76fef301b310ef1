namespace MusterBot.Flows.Runtime;

/// <summary>
/// What a person who leaves (/me → leave) hands back: complaints assigned to them, wishes they claimed, their seats in
/// open musters. Each capability writes its part through the context's effects, so leaving is one atomic commit.
/// </summary>
public interface ILeaveSection
{
    /// <summary>Hands back the open work of <see cref="FlowContext.Profile"/> (still the leaving person's profile).</summary>
    ValueTask HandBackAsync(FlowContext context, CancellationToken cancellationToken);
}
