namespace MusterBot.State.Outbox;

public sealed record SendLocation(double Latitude, double Longitude) : OutgoingAction;
