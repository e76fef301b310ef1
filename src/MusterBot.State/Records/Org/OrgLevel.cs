namespace MusterBot.State.Records.Org;

/// <summary>
/// Levels of the organisation tree, top down: city (市) → district/county/banner (区/县/旗) → street/township (街道/乡镇)
/// → community/village (社区/村). Grids (网格) are the level below a community; they stay records of their community
/// (<see cref="Directory.Grid"/>), not tree nodes with a shard of their own.
/// </summary>
public enum OrgLevel
{
    City = 0,
    District = 1,
    Street = 2,
    Community = 3,
}
