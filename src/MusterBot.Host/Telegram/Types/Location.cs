namespace MusterBot.Host.Telegram.Types;

/// <summary>A point on the map.</summary>
public sealed record Location
{
    public double Latitude { get; init; }

    public double Longitude { get; init; }

    /// <summary>Radius of uncertainty in meters (0-1500).</summary>
    public double? HorizontalAccuracy { get; init; }

    /// <summary>Seconds a live location may be updated for.</summary>
    public int? LivePeriod { get; init; }

    public int? Heading { get; init; }

    public int? ProximityAlertRadius { get; init; }
}
