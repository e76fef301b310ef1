namespace MusterBot.State.Outbox;

/// <summary>
/// Sending priority: <see cref="Answer"/> first, then Emergency, Reply, Normal. (Answer was added last, so stored lane
/// numbers stay as they were.)
/// </summary>
public enum Lane
{
    /// <summary>Muster orders, escalations.</summary>
    Emergency = 0,

    /// <summary>Direct replies to something a user just did.</summary>
    Reply = 1,

    /// <summary>Notices: wishes, complaint updates, reminders.</summary>
    Normal = 2,

    /// <summary>Callback answers (stop a pressed button's spinner): not rate-limited, so never queued behind messages.</summary>
    Answer = 3,
}
