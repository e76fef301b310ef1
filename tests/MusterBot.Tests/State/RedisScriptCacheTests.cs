using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Outbox;
using MusterBot.State.Redis;

namespace MusterBot.Tests.State;

/// <summary>
/// How the store runs its Lua scripts, seen from the server: always by SHA1 (EVALSHA), never with EVAL; the body is
/// sent (SCRIPT LOAD) only when the server answered NOSCRIPT (a new or restarted server, SCRIPT FLUSH), and then the
/// call is retried once. These tests own their redis-server, so its counters count only them.
/// </summary>
public sealed class RedisScriptCacheTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Commits_RunByEvalSha_TheScriptBodyIsSentOnce()
    {
        await redis.ExecuteAsync("SCRIPT", "FLUSH");
        await redis.ExecuteAsync("CONFIG", "RESETSTAT");
        await using (var store = await ConnectAsync())
        {
            const int Commits = 20;
            for (var i = 0; i < Commits; i++)
            {
                var result = await store.CommitAsync(
                    new Commit { Writes = [new DocWrite(new DocKey("user", Text(i)), "{}", 0)] }, Ct);
                Assert.Equal(CommitStatus.Committed, result.Status);
            }

            var stats = await redis.ExecuteAsync("INFO", "commandstats");
            Assert.Equal(0, Stat(stats, "cmdstat_eval", "calls"));
            // The first EVALSHA finds the server without the script (NOSCRIPT); it is loaded once, and every commit
            // runs by its SHA.
            Assert.Equal(1, ScriptLoads(stats));
            Assert.Equal(1, Stat(stats, "cmdstat_evalsha", "failed_calls"));
            Assert.Equal(Commits, Stat(stats, "cmdstat_evalsha", "calls") - Stat(stats, "cmdstat_evalsha", "failed_calls"));
            Assert.Equal("1", await redis.ExecuteAsync("SCRIPT", "EXISTS", Sha1(RedisScripts.CommitMany.Body)));
        }

        // A new process finds the script on the server and does not send it again.
        await redis.ExecuteAsync("CONFIG", "RESETSTAT");
        await using (var store = await ConnectAsync())
        {
            Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "x"), "{}", 0)] }, Ct)).Status);
        }

        var again = await redis.ExecuteAsync("INFO", "commandstats");
        Assert.Equal(0, ScriptLoads(again));
        Assert.Equal(0, Stat(again, "cmdstat_eval", "calls"));
        Assert.Equal(1, Stat(again, "cmdstat_evalsha", "calls"));
        Assert.Equal(0, Stat(again, "cmdstat_evalsha", "failed_calls"));
    }

    [Fact]
    public async Task Commit_AfterScriptFlush_LoadsTheScriptAgain_AndCommitsOnce()
    {
        await using var store = await ConnectAsync();
        var key = new DocKey("user", "1");
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(key, "1", 0)] }, Ct)).Status);

        await redis.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal("0", await redis.ExecuteAsync("SCRIPT", "EXISTS", Sha1(RedisScripts.CommitMany.Body)));
        await redis.ExecuteAsync("CONFIG", "RESETSTAT");

        var result = await store.CommitAsync(
            new Commit
            {
                Writes = [new DocWrite(key, "2", 1)],
                Outbox = [new OutboxMessage(Lane.Reply, 7, new SendText("hi"))],
            },
            Ct);

        Assert.Equal(CommitStatus.Committed, result.Status);
        // Applied exactly once: version 2 (not 3) and one outbox message.
        Assert.Equal(new StoredDoc(key, "2", 2), await store.GetAsync(key, Ct));
        Assert.Single(result.OutboxIds);
        var stats = await redis.ExecuteAsync("INFO", "commandstats");
        var errors = await redis.ExecuteAsync("INFO", "errorstats");
        // The known SHA was refused once (NOSCRIPT); the script was loaded again and run by its SHA.
        Assert.Equal(1, Stat(errors, "errorstat_NOSCRIPT", "count"));
        Assert.Equal(2, Stat(stats, "cmdstat_evalsha", "calls"));
        Assert.Equal(1, Stat(stats, "cmdstat_evalsha", "failed_calls"));
        Assert.Equal(1, ScriptLoads(stats));
        Assert.Equal(0, Stat(stats, "cmdstat_eval", "calls"));

        // The other scripts work after the flush as well.
        Assert.Single(await store.ClaimOutboxAsync(10, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task ConcurrentCommits_AfterScriptFlush_AllSucceed()
    {
        await using var store = await ConnectAsync();
        Assert.Equal(CommitStatus.Committed, (await store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", "0"), "{}", 0)] }, Ct)).Status);

        await redis.ExecuteAsync("SCRIPT", "FLUSH");
        var results = await Task.WhenAll(Enumerable.Range(1, 50).Select(i =>
            store.CommitAsync(new Commit { Writes = [new DocWrite(new DocKey("user", Text(i)), "{}", 0)] }, Ct)));

        Assert.All(results, r => Assert.Equal(CommitStatus.Committed, r.Status));
        Assert.Equal("1", await redis.ExecuteAsync("SCRIPT", "EXISTS", Sha1(RedisScripts.CommitMany.Body)));
    }

    private async Task<RedisStateStore> ConnectAsync() =>
        await RedisStateStore.ConnectAsync(
            new RedisStoreOptions { Configuration = redis.ConnectionString, KeyPrefix = $"sc{Guid.NewGuid():N}:" },
            TimeProvider.System,
            Ct);

    /// <summary>SCRIPT LOAD calls: Redis 7 counts them as <c>cmdstat_script|load</c>, older servers under <c>cmdstat_script</c>.</summary>
    private static long ScriptLoads(string stats) =>
        Stat(stats, "cmdstat_script|load", "calls") + Stat(stats, "cmdstat_script", "calls");

    /// <summary>One field of an INFO line such as <c>cmdstat_evalsha:calls=3,usec=…,failed_calls=0</c>; 0 when absent.</summary>
    private static long Stat(string info, string name, string field)
    {
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var pair in line[(name.Length + 1)..].Split(','))
            {
                var parts = pair.Split('=');
                if (parts.Length == 2 && parts[0] == field)
                {
                    return long.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
        }

        return 0;
    }

    /// <summary>The name Redis gives a script (SHA1 of its body, lower-case hex).</summary>
#pragma warning disable CA5350 // SHA1 here is Redis's script name, not a security measure.
    private static string Sha1(string script) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
#pragma warning restore CA5350

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
