using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MusterBot.Tests.Docs;

/// <summary>
/// Every relative link and image in README.md and docs/**/*.md points to a file of the repository (and, with
/// <c>#anchor</c>, to a heading of that file); every repository path quoted in backticks (<c>`docs/…`</c>,
/// <c>`src/…`</c>, <c>`../…`</c>) exists inside the repository. Adopters follow these links; a dead one is a bug.
/// </summary>
public partial class DocLinksTests
{
    [Fact]
    public void ReadmeAndDocs_HaveNoBrokenLinks()
    {
        var root = RepositoryRoot();
        var result = DocLinks.Check(root);

        Assert.True(result.Problems.Count == 0, "Broken references in the documentation:\n  " + string.Join("\n  ", result.Problems));
        // Guard against a checker that silently reads nothing: the README links its screenshot and docs/.
        Assert.Contains(result.Files, f => f == "README.md");
        Assert.Contains(result.Files, f => f.StartsWith("docs/", StringComparison.Ordinal));
        Assert.True(result.LinksChecked >= 5, $"only {result.LinksChecked} links were found");
    }

    [Fact]
    public void Checker_FindsEachKindOfBrokenReference()
    {
        var root = Path.Combine(Path.GetTempPath(), "doclinks-" + Guid.NewGuid().ToString("N"));
        try
        {
            System.IO.Directory.CreateDirectory(Path.Combine(root, "docs", "img"));
            File.WriteAllText(Path.Combine(root, "docs", "img", "shot.png"), "png");
            File.WriteAllText(Path.Combine(root, "docs", "guide.md"), "# Guide\n\n## Set up your community\n\n## Set up your community\n\n### Redis: AOF & `noeviction`\n");
            File.WriteAllText(Path.Combine(root, "README.md"), string.Join('\n',
                "# Title",
                "[ok](docs/guide.md) [ok anchor](docs/guide.md#set-up-your-community) [dup anchor](docs/guide.md#set-up-your-community-1)",
                "[ok code anchor](docs/guide.md#redis-aof--noeviction) [own](#title) ![ok](docs/img/shot.png) <https://example.org>",
                "[web](https://example.org/x.md) [mail](mailto:a@b.c)",
                "[missing](docs/missing.md)",
                "![missing image](docs/img/none.png)",
                "[bad anchor](docs/guide.md#no-such-heading)",
                "[bad own anchor](#nowhere)",
                "[outside](../shared/docs/MISSION.md)",
                "See `../shared/docs/MISSION.md` and `docs/absent.md`; `docs/guide.md` and `docs/*.md` are fine.",
                "<img src=\"docs/img/gone.png\" alt=\"x\">",
                "```sh",
                "cat docs/nothing-in-a-code-block.md  [not a link](nowhere.md)",
                "```",
                ""));

            var result = DocLinks.Check(root);

            Assert.Equal(8, result.Problems.Count);
            Assert.Contains(result.Problems, p => p.Contains("README.md:5", StringComparison.Ordinal) && p.Contains("docs/missing.md", StringComparison.Ordinal));
            Assert.Contains(result.Problems, p => p.Contains("docs/img/none.png", StringComparison.Ordinal));
            Assert.Contains(result.Problems, p => p.Contains("#no-such-heading", StringComparison.Ordinal));
            Assert.Contains(result.Problems, p => p.Contains("#nowhere", StringComparison.Ordinal));
            Assert.Equal(2, result.Problems.Count(p => p.Contains("../shared/docs/MISSION.md", StringComparison.Ordinal)));
            Assert.Contains(result.Problems, p => p.Contains("docs/absent.md", StringComparison.Ordinal));
            Assert.Contains(result.Problems, p => p.Contains("docs/img/gone.png", StringComparison.Ordinal));
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("Set up your community", "set-up-your-community")]
    [InlineData("Redis: AOF, `noeviction` & backups", "redis-aof-noeviction--backups")]
    [InlineData("Who can see phone numbers?", "who-can-see-phone-numbers")]
    [InlineData("Roles 角色 (居民, 党员)", "roles-角色-居民-党员")]
    [InlineData("[Linked](x.md) **bold** heading", "linked-bold-heading")]
    public void HeadingSlugs_FollowGitHub(string heading, string slug) => Assert.Equal(slug, DocLinks.Slug(heading));

    private static string RepositoryRoot() => MusterBot.Tests.Support.RepositoryPaths.Root;
}

/// <summary>The checker behind <see cref="DocLinksTests"/>: reads README.md and docs/**/*.md under a root.</summary>
public static partial class DocLinks
{
    public sealed record Result(IReadOnlyList<string> Files, IReadOnlyList<string> Problems, int LinksChecked);

    /// <summary>Top-level folders whose paths, quoted in backticks, are taken as repository paths.</summary>
    private static readonly string[] RepoPathPrefixes = ["../", "./", "docs/", "src/", "tests/", "bench/", ".ci/"];

    public static Result Check(string root)
    {
        root = Path.GetFullPath(root);
        var files = new List<string>();
        if (File.Exists(Path.Combine(root, "README.md")))
        {
            files.Add("README.md");
        }

        var docs = Path.Combine(root, "docs");
        if (System.IO.Directory.Exists(docs))
        {
            files.AddRange(System.IO.Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal));
        }

        var problems = new List<string>();
        var checkedLinks = 0;
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(Path.Combine(root, file));
            var fence = false;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (FenceRegex().IsMatch(line))
                {
                    fence = !fence;
                    continue;
                }

                if (fence)
                {
                    continue;
                }

                var where = $"{file}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
                var withoutCode = CodeSpanRegex().Replace(line, m => new string(' ', m.Length));
                foreach (var target in LinkTargets(withoutCode))
                {
                    checkedLinks++;
                    if (CheckLink(root, file, target, anchors) is { } problem)
                    {
                        problems.Add($"{where}: {problem}");
                    }
                }

                foreach (Match code in CodeSpanRegex().Matches(line))
                {
                    var text = code.Groups["code"].Value.Trim();
                    if (CheckQuotedPath(root, text) is { } problem)
                    {
                        problems.Add($"{where}: {problem}");
                    }
                }
            }
        }

        return new Result(files, problems, checkedLinks);
    }

    /// <summary>GitHub's heading anchor: lower case, punctuation dropped (letters of any script kept), spaces to hyphens.</summary>
    public static string Slug(string heading)
    {
        var text = InlineLinkRegex().Replace(heading.Trim(), "$1");
        var sb = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (c == ' ')
            {
                sb.Append('-');
            }
            else if (c == '-' || char.IsLetterOrDigit(c) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation)
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static IEnumerable<string> LinkTargets(string line)
    {
        foreach (Match m in LinkRegex().Matches(line))
        {
            yield return m.Groups["target"].Value;
        }

        foreach (Match m in ImgTagRegex().Matches(line))
        {
            yield return m.Groups["target"].Value;
        }

        if (ReferenceDefinitionRegex().Match(line) is { Success: true } reference)
        {
            yield return reference.Groups["target"].Value;
        }
    }

    private static string? CheckLink(string root, string file, string target, Dictionary<string, HashSet<string>> anchors)
    {
        target = target.Trim().Trim('<', '>');
        if (target.Length == 0)
        {
            return "empty link target";
        }

        if (SchemeRegex().IsMatch(target))
        {
            return null; // https:, mailto: …: not checked here (no network in tests)
        }

        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var pathPart = Uri.UnescapeDataString(hash >= 0 ? target[..hash] : target);
        var anchor = hash >= 0 ? Uri.UnescapeDataString(target[(hash + 1)..]) : null;
        var fileDir = Path.GetDirectoryName(Path.Combine(root, file))!;
        var full = pathPart.Length == 0 ? Path.Combine(root, file) : Path.GetFullPath(Path.Combine(fileDir, pathPart));
        if (!IsInside(root, full))
        {
            return $"{target} points outside the repository";
        }

        if (!File.Exists(full) && !System.IO.Directory.Exists(full))
        {
            return $"{target}: no such file";
        }

        if (anchor is null || anchor.Length == 0)
        {
            return null;
        }

        if (!full.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            return null; // anchors into code files (#L10) are GitHub's line links: not checked
        }

        if (!anchors.TryGetValue(full, out var known))
        {
            known = HeadingAnchors(File.ReadAllLines(full));
            anchors[full] = known;
        }

        return known.Contains(anchor) ? null : $"{target}: no heading with the anchor #{anchor}";
    }

    /// <summary>A path in backticks that names a repository file or folder must exist inside the repository.</summary>
    private static string? CheckQuotedPath(string root, string text)
    {
        if (!RepoPathPrefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal)) || PlaceholderRegex().IsMatch(text))
        {
            return null; // a command, a glob or a pattern with placeholders: not a path to check
        }

        var path = text.Split('#')[0].TrimEnd('/');
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!IsInside(root, full))
        {
            return $"`{text}` points outside the repository";
        }

        return File.Exists(full) || System.IO.Directory.Exists(full) ? null : $"`{text}`: no such file";
    }

    private static HashSet<string> HeadingAnchors(string[] lines)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var fence = false;
        foreach (var line in lines)
        {
            if (FenceRegex().IsMatch(line))
            {
                fence = !fence;
                continue;
            }

            if (fence || HeadingRegex().Match(line) is not { Success: true } heading)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            var n = seen.GetValueOrDefault(slug);
            seen[slug] = n + 1;
            result.Add(n == 0 ? slug : slug + "-" + n.ToString(CultureInfo.InvariantCulture));
        }

        return result;
    }

    private static bool IsInside(string root, string full)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) || full == root;
    }

    [GeneratedRegex(@"^\s{0,3}(```|~~~)")]
    private static partial Regex FenceRegex();

    [GeneratedRegex(@"(?<ticks>`+)(?<code>[^`]+?)\k<ticks>")]
    private static partial Regex CodeSpanRegex();

    /// <summary>[text](target) and ![alt](target), with an optional "title".</summary>
    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(?<target><[^>]*>|[^)\s]+)(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex LinkRegex();

    [GeneratedRegex(@"<img\s[^>]*\bsrc\s*=\s*""(?<target>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ImgTagRegex();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s+(?<target>\S+)")]
    private static partial Regex ReferenceDefinitionRegex();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex SchemeRegex();

    [GeneratedRegex(@"[\s*?<>{}\[\]…|$]")]
    private static partial Regex PlaceholderRegex();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex HeadingRegex();

    [GeneratedRegex(@"!?\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkRegex();
}
