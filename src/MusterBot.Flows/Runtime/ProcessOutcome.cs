namespace MusterBot.Flows.Runtime;

public enum ProcessOutcome
{
    /// <summary>Decided and committed (state, effects and the handled-update mark in one write).</summary>
    Handled,

    /// <summary>This update (or timer) was handled before; nothing was applied again.</summary>
    Duplicate,

    /// <summary>Nothing to do (an event for a person we do not know, such as a timer of a deleted profile).</summary>
    Ignored,

    /// <summary>
    /// A flow needs the bytes of the document: nothing was committed; the caller downloads it and calls again with
    /// <see cref="Events.DocumentReceived.Content"/> (or <see cref="Events.DocumentReceived.ContentFetched"/>) set.
    /// </summary>
    NeedsDocumentContent,
}
