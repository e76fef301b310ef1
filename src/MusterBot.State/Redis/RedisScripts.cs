namespace MusterBot.State.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisStateStore"/>. Every key is built from the prefix in ARGV[1] (the layout is in
/// docs/redis-keys.md). Times arrive as Unix milliseconds of the store's TimeProvider; no script calls TIME.
/// Numbers that end up in keys or values travel as strings, so 64-bit ids are never rounded through Lua doubles.
/// The store runs each one by its SHA1 (EVALSHA) and loads it again after NOSCRIPT (see RedisStateStore.EvalAsync).
/// Each starts with a Redis 7 shebang (<c>#!lua flags=…</c>), so the server judges memory before the script runs: a
/// script without <c>allow-oom</c> is refused whole (OOM) while used memory is over <c>maxmemory</c>, never cut off
/// half-way. Only the commit, which adds data, is refused; claims, completions, retries and the migration forward
/// move or shrink the outbox (refusing them would stop the outbox from draining and cause re-sends), so they carry
/// <c>allow-oom</c>; the read-only tag query is <c>no-writes</c>. All are <c>no-cluster</c> (keys are built inside).
/// See "Memory limit" in docs/redis-keys.md.
/// </summary>
/// <remarks>
/// None of these scripts declares its keys in KEYS: each builds them from ARGV[1] and from data (commit JSON, ids
/// taken from sorted sets, INCR). That is fine on one Redis node but not on Redis Cluster, and some keys (an outbox
/// id from INCR, members read from a lane) cannot be known before the script runs; see "Limits" in
/// docs/redis-keys.md.
/// </remarks>
internal static class RedisScripts
{
    /// <summary>Writes that add data: refused whole when Redis is over maxmemory.</summary>
    private const string Grows = "#!lua flags=no-cluster\n";

    /// <summary>Writes that move or shrink the outbox and timers: run even when Redis is over maxmemory.</summary>
    private const string Drains = "#!lua flags=allow-oom,no-cluster\n";

    /// <summary>Read-only.</summary>
    private const string Reads = "#!lua flags=no-writes,no-cluster\n";

    private const string Helpers = """
        local p = ARGV[1]
        local function pad(id) return string.rep('0', 19 - #id) .. id end
        local function unpad(member) return (string.gsub(member, '^0+', '')) end
        local function int(n) return string.format('%d', n) end

        """;

    /// <summary>
    /// ARGV: prefix, now (ms), now (ISO 8601), commit (JSON), handled-update retention (ms), delivery retention (ms),
    /// the commit's shard prefix (prefix and hash tag: documents, sets and the handled-update mark live there).
    /// Returns {0, id…} when committed, {1} on a version conflict, {2} for a duplicate update or a consumed timer.
    /// </summary>
    public static readonly RedisScript Commit = new(nameof(Commit), Grows + Helpers + Enqueue + """
        local now = tonumber(ARGV[2])
        local c = cjson.decode(ARGV[4])
        local sp = ARGV[7]

        if c.u then
          local mark = redis.call('GET', sp .. 'upd:' .. c.u)
          if mark and tonumber(mark) > now then return {2} end
        end
        if c.ct and redis.call('EXISTS', p .. 'tmr:' .. c.ct) == 0 then return {2} end

        local function version(key)
          local h = redis.call('HMGET', key, 'v', 'exp')
          if not h[1] then return 0 end
          if h[2] and tonumber(h[2]) <= now then return 0 end
          return tonumber(h[1])
        end
        for _, w in ipairs(c.w) do
          if w.ev and version(sp .. 'doc:' .. w.k) ~= tonumber(w.ev) then return {1} end
        end

        for _, w in ipairs(c.w) do
          local key = sp .. 'doc:' .. w.k
          if w.j then
            local v = int(version(key) + 1)
            redis.call('DEL', key)
            if w.ttl then
              redis.call('HSET', key, 'v', v, 'j', w.j, 'exp', int(now + tonumber(w.ttl)))
              redis.call('PEXPIRE', key, w.ttl)
            else
              redis.call('HSET', key, 'v', v, 'j', w.j)
            end
          else
            redis.call('DEL', key)
          end
        end

        for _, s in ipairs(c.s) do
          if s.a == '1' then
            redis.call('SADD', sp .. 'set:' .. s.n, s.m)
          else
            redis.call('SREM', sp .. 'set:' .. s.n, s.m)
          end
        end

        local result = {0}
        for _, m in ipairs(c.o) do
          result[#result + 1] = enqueue(m, ARGV[3], ARGV[6])
        end

        local function dropTimer(id)
          redis.call('DEL', p .. 'tmr:' .. id)
          redis.call('ZREM', p .. 'timers', id)
          redis.call('ZREM', p .. 'timers:inflight', id)
        end
        if c.ct then dropTimer(c.ct) end
        for _, id in ipairs(c.tc) do dropTimer(id) end
        for _, t in ipairs(c.ts) do
          -- k: KeepExisting; a timer still there (waiting or claimed, not consumed) is kept and this one dropped.
          if not (t.k and redis.call('EXISTS', p .. 'tmr:' .. t.id) == 1) then
            dropTimer(t.id)
            redis.call('HSET', p .. 'tmr:' .. t.id, 'd', t.d, 'j', t.j)
            redis.call('ZADD', p .. 'timers', t.d, t.id)
          end
        end

        if c.u then
          redis.call('SET', sp .. 'upd:' .. c.u, int(now + tonumber(ARGV[5])), 'PX', ARGV[5])
        end
        return result
        """);

    /// <summary>
    /// ARGV: prefix, now (ms), max, lease end (ms), reserved for replies. First returns expired leases to their lanes
    /// (a message put back by Retry, i.e. with <c>nb</c>, to the lane's retry set), then takes ready messages lane by
    /// lane, each lane's due retries (retry set, by NotBefore) before its fresh messages (lane set, by ready time).
    /// Returns a flat list: id, message JSON, attempts, NotBefore override ('' if none).
    /// </summary>
    public static readonly RedisScript ClaimOutbox = new(nameof(ClaimOutbox), Drains + Helpers + """
        local now = ARGV[2]
        local max = tonumber(ARGV[3])
        for lane = 0, 3 do
          local inflight = p .. 'inflight:' .. lane
          for _, member in ipairs(redis.call('ZRANGEBYSCORE', inflight, '-inf', now)) do
            redis.call('ZREM', inflight, member)
            local h = redis.call('HMGET', p .. 'ob:' .. unpad(member), 'r', 'nb')
            if h[1] then
              local set = h[2] and 'retry:' or 'lane:'
              redis.call('ZADD', p .. set .. lane, h[1], member)
            end
          end
        end
        local out = {}
        local n = 0
        local function take(key, lane, count)
          for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, count)) do
            redis.call('ZREM', key, member)
            local id = unpad(member)
            local h = redis.call('HMGET', p .. 'ob:' .. id, 'j', 'a', 'nb')
            if h[1] then
              redis.call('ZADD', p .. 'inflight:' .. lane, ARGV[4], member)
              out[#out + 1] = id
              out[#out + 1] = h[1]
              out[#out + 1] = h[2] or '0'
              out[#out + 1] = h[3] or ''
              n = n + 1
            end
          end
        end
        local reserve = tonumber(ARGV[5] or '0')
        -- Callback answers (lane 3) first, then up to `reserve` of the claim to waiting replies (lane 1), then lanes
        -- 0, 1, 2 in priority order.
        -- Within a lane, due retries go before fresh messages, so a refused message is not queued behind a fan-out.
        take(p .. 'retry:3', 3, max)
        take(p .. 'lane:3', 3, max)
        local order = { {1, math.min(n + reserve, max)}, {0, max}, {1, max}, {2, max} }
        for _, pass in ipairs(order) do
          local lane = pass[1]
          local limit = pass[2]
          if n >= max then break end
          if n < limit then take(p .. 'retry:' .. lane, lane, limit - n) end
          if n < limit then take(p .. 'lane:' .. lane, lane, limit - n) end
        end
        return out
        """);

    /// <summary>ARGV: prefix, now (ms), max, lease end (ms). Returns the JSON of each claimed timer.</summary>
    public static readonly RedisScript ClaimTimers = new(nameof(ClaimTimers), Drains + Helpers + """
        local now = ARGV[2]
        local inflight = p .. 'timers:inflight'
        local due = p .. 'timers'
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', inflight, '-inf', now)) do
          redis.call('ZREM', inflight, id)
          local d = redis.call('HGET', p .. 'tmr:' .. id, 'd')
          if d then redis.call('ZADD', due, d, id) end
        end
        local out = {}
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))) do
          redis.call('ZREM', due, id)
          local j = redis.call('HGET', p .. 'tmr:' .. id, 'j')
          if j then
            redis.call('ZADD', inflight, ARGV[4], id)
            out[#out + 1] = j
          end
        end
        return out
        """);

    /// <summary>
    /// Lua function <c>complete(id, r, retention)</c>: removes outbox message <c>id</c> from every lane, retry and in-flight
    /// set and stores its final delivery record <c>r</c> (decoded JSON) kept for <c>retention</c> ms.
    /// </summary>
    private const string CompleteFunction = """
        local function complete(id, r, retention)
        local member = pad(id)
        for lane = 0, 3 do
          redis.call('ZREM', p .. 'lane:' .. lane, member)
          redis.call('ZREM', p .. 'retry:' .. lane, member)
          redis.call('ZREM', p .. 'inflight:' .. lane, member)
        end
        local okey = p .. 'ob:' .. id
        local dkey = p .. 'dlv:' .. id
        local tag = r.t
        if not tag then tag = redis.call('HGET', okey, 't') end
        if not tag then tag = redis.call('HGET', dkey, 't') end
        redis.call('DEL', okey)
        redis.call('DEL', dkey)
        redis.call('HSET', dkey, 'c', r.c, 's', r.s, 'at', r.at, 'a', r.a)
        if r.m then redis.call('HSET', dkey, 'm', r.m) end
        if r.e then redis.call('HSET', dkey, 'e', r.e) end
        if tag then
          redis.call('HSET', dkey, 't', tag)
          redis.call('ZADD', p .. 'tag:' .. tag, id, id)
          redis.call('PEXPIRE', p .. 'tag:' .. tag, retention)
        end
        redis.call('PEXPIRE', dkey, retention)
        end

        """;

    /// <summary>
    /// Lua function <c>enqueue(m, atIso, tagRetention)</c>: adds one outbox message (an element of the commit JSON's
    /// <c>o</c>) with a new id, its lane entry, its Queued delivery record and its tag index; returns the id.
    /// </summary>
    private const string Enqueue = """
        local function enqueue(m, atIso, tagRetention)
          local id = int(redis.call('INCR', p .. 'seq:outbox'))
          local member = pad(id)
          local okey = p .. 'ob:' .. id
          redis.call('HSET', okey, 'j', m.j, 'l', m.l, 'r', m.r, 'a', m.a)
          redis.call('ZADD', p .. 'lane:' .. m.l, m.r, member)
          local dkey = p .. 'dlv:' .. id
          redis.call('DEL', dkey)
          redis.call('HSET', dkey, 'c', m.c, 's', 'Queued', 'at', atIso, 'a', m.a)
          if m.t then
            redis.call('HSET', okey, 't', m.t)
            redis.call('HSET', dkey, 't', m.t)
            redis.call('ZADD', p .. 'tag:' .. m.t, id, id)
            redis.call('PEXPIRE', p .. 'tag:' .. m.t, tagRetention)
          end
          return id
        end

        """;

    /// <summary>ARGV: prefix, outbox id, delivery record (JSON), delivery retention (ms).</summary>
    public static readonly RedisScript Complete = new(nameof(Complete), Drains + Helpers + CompleteFunction + """
        complete(ARGV[2], cjson.decode(ARGV[3]), ARGV[4])
        return 1
        """);

    /// <summary>
    /// ARGV: prefix, outbox id, delivery record (JSON), delivery retention (ms), message (JSON as in the commit's
    /// <c>o</c>), now (ISO 8601). In one step: records the claimed message's final outcome and enqueues the message that
    /// replaces it (the same message to a migrated group's new chat id). Returns the new id, or '' when the message is
    /// no longer in the outbox (its outcome was recorded already: a repeated call changes nothing).
    /// </summary>
    public static readonly RedisScript Forward = new(nameof(Forward), Drains + Helpers + CompleteFunction + Enqueue + """
        if redis.call('EXISTS', p .. 'ob:' .. ARGV[2]) == 0 then return '' end
        complete(ARGV[2], cjson.decode(ARGV[3]), ARGV[4])
        return enqueue(cjson.decode(ARGV[5]), ARGV[6], ARGV[4])
        """);

    /// <summary>
    /// ARGV: prefix, outbox id, NotBefore (ms), NotBefore (ISO 8601), attempts. Puts the message into its lane's retry
    /// set (score NotBefore), which a claim drains before the lane's fresh messages. Returns 0 if unknown.
    /// </summary>
    public static readonly RedisScript Retry = new(nameof(Retry), Drains + Helpers + """
        local id = ARGV[2]
        local okey = p .. 'ob:' .. id
        local lane = redis.call('HGET', okey, 'l')
        if not lane then return 0 end
        local member = pad(id)
        for l = 0, 3 do
          redis.call('ZREM', p .. 'lane:' .. l, member)
          redis.call('ZREM', p .. 'retry:' .. l, member)
          redis.call('ZREM', p .. 'inflight:' .. l, member)
        end
        redis.call('HSET', okey, 'r', ARGV[3], 'nb', ARGV[4], 'a', ARGV[5])
        redis.call('ZADD', p .. 'retry:' .. lane, ARGV[3], member)
        local dkey = p .. 'dlv:' .. id
        if redis.call('EXISTS', dkey) == 1 then redis.call('HSET', dkey, 'a', ARGV[5]) end
        return 1
        """);

    /// <summary>ARGV: prefix, tag. Returns {id, HGETALL of its record} per known delivery, in id order.</summary>
    public static readonly RedisScript DeliveriesByTag = new(nameof(DeliveriesByTag), Reads + Helpers + """
        local out = {}
        for _, id in ipairs(redis.call('ZRANGE', p .. 'tag:' .. ARGV[2], 0, -1)) do
          local h = redis.call('HGETALL', p .. 'dlv:' .. id)
          if #h > 0 then out[#out + 1] = {id, h} end
        end
        return out
        """);
}
