namespace MusterBot.State.Records.Wishes;

public enum WishCategory
{
    Study,
    DailyLife,
    ElderlyCare,
    Health,
    Repairs,
    Other,
}
