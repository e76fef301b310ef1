namespace MusterBot.Tests.Support;

/// <summary>Where the repository is, found from the test output folder (the folder holding MusterBot.sln).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MusterBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MusterBot.sln not found above the test output folder.");
    }
}
