namespace MusterBot.State.Outbox;

/// <summary>Sending priority: a lower value is drained first.</summary>
public enum Lane
{
    /// <summary>Muster orders, escalations.</summary>
    Emergency = 0,

    /// <summary>Direct replies to something a user just did (including callback answers).</summary>
    Reply = 1,

    /// <summary>Notices: wishes, complaint updates, reminders.</summary>
    Normal = 2,
}
