using System.Security.Cryptography;
using System.Text;

namespace MusterBot.State.Redis;

/// <summary>A Lua script of the store and its SHA1, the name Redis runs it by (EVALSHA).</summary>
internal sealed class RedisScript
{
    public RedisScript(string name, string body)
    {
        Name = name;
        Body = body;
#pragma warning disable CA5350 // SHA1 is how Redis names a script (SCRIPT LOAD, EVALSHA); it protects nothing.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(body));
#pragma warning restore CA5350
    }

    /// <summary>What the script does (Commit, ClaimOutbox, …), for error messages.</summary>
    public string Name { get; }

    /// <summary>The Lua source, sent only by SCRIPT LOAD.</summary>
    public string Body { get; }

    /// <summary>The 20-byte SHA1 of <see cref="Body"/> (UTF-8), equal to what SCRIPT LOAD returns.</summary>
    public byte[] Sha1 { get; }
}
