namespace MusterBot.State.Records.Musters;

/// <summary>A member's answer to a muster order (UX status marks: ⏳ ✅ 🏃 📍 ❌).</summary>
public enum CheckInStatus
{
    NoAnswer,
    Acknowledged,
    OnTheWay,
    Arrived,
    CantCome,
}
