namespace MusterBot.State.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisStateStore"/> (the layout is in docs/redis-keys.md). Every script works in ONE
/// shard's hash slot: ARGV[1] is the prefix of that shard's keys (<c>mb:{4}:</c>), and the caller declares in KEYS every
/// key it knows before the run (documents, sets, the update mark, lanes, timers, tags, the index keys), so Redis Cluster
/// routes the call to the node that owns the slot and refuses a key of another slot. Keys a script finds only while it
/// runs (an outbox message's number from INCR, a member read from a lane, a tag read from a message) are built from
/// ARGV[1] and so carry the same hash tag: same slot, same node.
/// Times arrive as Unix milliseconds of the store's TimeProvider; no script calls TIME. Numbers that end up in keys or
/// values travel as strings, so 64-bit ids are never rounded through Lua doubles.
/// The store runs each one by its SHA1 (EVALSHA) and loads it again after NOSCRIPT (see RedisStateStore.EvalAsync).
/// Each starts with a Redis 7 shebang (<c>#!lua flags=…</c>), so the server judges memory before the script runs: a
/// script without <c>allow-oom</c> is refused whole (OOM) while used memory is over <c>maxmemory</c>, never cut off
/// half-way. Only the commit, which adds data, is refused; claims, completions, retries, the migration forward and the
/// work index move or shrink the outbox (refusing them would stop the outbox from draining and cause re-sends), so they
/// carry <c>allow-oom</c>; the read-only queries are <c>no-writes</c>. See "Memory limit" in docs/redis-keys.md.
/// </summary>
/// <remarks>
/// The work index (which shards have outbox messages or timers) lives in the root shard (<c>mb:{1}:ix:…</c>). A script
/// given the root prefix updates it in the same run: every script of the root shard (same slot), and every script on a
/// single Redis (all slots on one node). On Redis Cluster the store updates it for any other shard with
/// <see cref="Reindex"/> after the shard's script, guarded by the shard's epoch (see "Work index" in docs/redis-keys.md).
/// </remarks>
internal static class RedisScripts
{
    /// <summary>Writes that add data: refused whole when Redis is over maxmemory.</summary>
    private const string Grows = "#!lua\n";

    /// <summary>Writes that move or shrink the outbox and timers: run even when Redis is over maxmemory.</summary>
    private const string Drains = "#!lua flags=allow-oom\n";

    /// <summary>Read-only.</summary>
    private const string Reads = "#!lua flags=no-writes\n";

    private const string Helpers = """
        local sp = ARGV[1]
        local function pad(id) return string.rep('0', 19 - #id) .. id end
        local function unpad(member) return (string.gsub(member, '^0+', '')) end
        local function int(n) return string.format('%d', n) end
        local function lower(a, b)
          if a == nil then return b end
          if b == nil then return a end
          if b < a then return b end
          return a
        end

        """;

    /// <summary>
    /// Lua function <c>survey()</c>: the shard's epoch and, per index (retry and fresh of lanes 0–3, then timers), the
    /// earliest time anything there can be taken ('' = nothing there). A leased message counts for both indexes of its
    /// lane at its lease end (it comes back to one of them then); a leased timer at its lease end.
    /// </summary>
    private const string Survey = """
        local function first(key)
          local r = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
          if r[2] then return tonumber(r[2]) end
          return nil
        end
        local function survey()
          local s = {redis.call('GET', sp .. 'epoch') or '0'}
          for lane = 0, 3 do
            local inflight = first(sp .. 'inflight:' .. lane)
            local r = lower(first(sp .. 'retry:' .. lane), inflight)
            local f = lower(first(sp .. 'lane:' .. lane), inflight)
            s[2 + lane * 2] = r and int(r) or ''
            s[3 + lane * 2] = f and int(f) or ''
          end
          local t = lower(first(sp .. 'timers'), first(sp .. 'timers:inflight'))
          s[10] = t and int(t) or ''
          return s
        end

        """;

    /// <summary>
    /// Lua function <c>reindex(rp, shard, epoch, scores, exact)</c> on the root shard's keys (<c>rp</c> = its prefix):
    /// records that <c>shard</c> has work. <c>scores</c> holds 9 times as <c>survey</c> returns them. Exact (a survey of
    /// the whole shard, by a claim or the sweep): each index entry is set to its time or removed when empty, but only if
    /// no later change of the shard was indexed already (stored epoch ≤ <c>epoch</c>); otherwise, and for additions (a
    /// commit, retry or forward: exact = false), entries are only added or moved earlier (ZADD LT), never removed.
    /// </summary>
    private const string ReindexFunction = """
        local indexes = {'ix:r:0', 'ix:f:0', 'ix:r:1', 'ix:f:1', 'ix:r:2', 'ix:f:2', 'ix:r:3', 'ix:f:3', 'ix:tm'}
        local function reindex(rp, shard, epoch, scores, exact)
          redis.call('SADD', rp .. 'ix:shards', shard)
          local stored = tonumber(redis.call('HGET', rp .. 'ix:epoch', shard) or '0')
          local current = exact and stored <= epoch
          for i = 1, 9 do
            local s = scores[i]
            if s ~= '' then
              if current then
                redis.call('ZADD', rp .. indexes[i], s, shard)
              else
                redis.call('ZADD', rp .. indexes[i], 'LT', s, shard)
              end
            elseif current then
              redis.call('ZREM', rp .. indexes[i], shard)
            end
          end
          if epoch > stored then redis.call('HSET', rp .. 'ix:epoch', shard, int(epoch)) end
        end

        """;

    /// <summary>
    /// Lua function <c>surveyed(rp, shard)</c> (after <see cref="Survey"/> and <see cref="ReindexFunction"/>): the shard's
    /// survey, with the root's work index set exactly to it when <c>rp</c> (the root prefix) is not '' — the end of every
    /// script that takes or puts back a shard's work.
    /// </summary>
    private const string SurveyThenReindex = """
        local function surveyed(rp, shard)
          local s = survey()
          if rp ~= '' then
            local scores = {}
            for i = 1, 9 do scores[i] = s[i + 1] end
            reindex(rp, shard, tonumber(s[1]), scores, true)
          end
          return s
        end

        """;

    /// <summary>
    /// Lua function <c>commitOne(c, b, now, atIso, handled, retention)</c>: applies one commit (<c>c</c>, the
    /// decoded JSON of <c>RedisStateStore.CommitArgs</c>, at ARGV[b]; its documents', messages' and timers' own JSON are
    /// the arguments after it, each named in <c>c</c> by its place: <c>j = 1</c> is ARGV[b + 1]) at <c>now</c> (ms) with the handled-update retention and
    /// the delivery retention (ms, as text). The work index is not touched here: the batch updates it once (see
    /// <see cref="CommitMany"/>). Every check comes before the first write, so a commit refused writes nothing. Returns
    /// {2} for a duplicate update or a consumed timer that is gone, {1} on a version conflict, or
    /// {0, epoch, scores, numbers} when committed: epoch '0' when the commit added no message and no timer, scores the 9
    /// index times ('' where the commit did not move the shard's earliest time: a lane whose head was already ready no
    /// later than the new messages), numbers the outbox numbers given out.
    /// </summary>
    private const string CommitFunction = """
        -- A document's version (0 when it is missing or expired) and whether its hash carries an expiry, read once per
        -- key and commit: the check and the write share the read, and a write records what it leaves.
        local docs = {}
        local function doc(key, now)
          local d = docs[key]
          if d == nil then
            local h = redis.call('HMGET', key, 'v', 'exp')
            local v = 0
            if h[1] and not (h[2] and tonumber(h[2]) <= now) then v = tonumber(h[1]) end
            d = {v = v, exp = h[2] and true or false}
            docs[key] = d
          end
          return d
        end
        local function dropTimer(id)
          redis.call('DEL', sp .. 'tmr:' .. id)
          redis.call('ZREM', sp .. 'timers', id)
          redis.call('ZREM', sp .. 'timers:inflight', id)
        end
        local function commitOne(c, b, now, atIso, handled, retention)
          if c.u then
            local mark = redis.call('GET', sp .. 'upd:' .. c.u)
            if mark and tonumber(mark) > now then return {2} end
          end
          if c.ct and redis.call('EXISTS', sp .. 'tmr:' .. c.ct) == 0 then return {2} end

          docs = {}
          for _, w in ipairs(c.w) do
            if w.ev and doc(sp .. 'doc:' .. w.k, now).v ~= tonumber(w.ev) then return {1} end
          end

          for _, w in ipairs(c.w) do
            local key = sp .. 'doc:' .. w.k
            if w.j then
              local d = doc(key, now)
              local v = d.v + 1
              -- The hash holds only v, j and exp: HSET replaces the first two, so only an expiry (the field and the
              -- key's TTL) has to go first.
              if d.exp then redis.call('DEL', key) end
              local j = ARGV[b + w.j]
              if w.ttl then
                redis.call('HSET', key, 'v', int(v), 'j', j, 'exp', int(now + tonumber(w.ttl)))
                redis.call('PEXPIRE', key, w.ttl)
              else
                redis.call('HSET', key, 'v', int(v), 'j', j)
              end
              docs[key] = {v = v, exp = w.ttl and true or false}
            else
              redis.call('DEL', key)
              docs[key] = {v = 0, exp = false}
            end
          end

          for _, s in ipairs(c.s) do
            if s.a == '1' then
              redis.call('SADD', sp .. 'set:' .. s.n, s.m)
            else
              redis.call('SREM', sp .. 'set:' .. s.n, s.m)
            end
          end

          local scores = {'', '', '', '', '', '', '', '', ''}
          local numbers = {}
          -- A lane that already holds a message ready no later than this commit's earliest one keeps its head, so its
          -- index entry (set when that head was enqueued, or exactly by the claim that left it) needs no update: its
          -- score is left out ('') and the caller skips a reindex that would change nothing.
          local heads = {}
          for _, m in ipairs(c.o) do
            if heads[m.l] == nil then
              local h = redis.call('ZRANGE', sp .. 'lane:' .. m.l, 0, 0, 'WITHSCORES')
              heads[m.l] = h[2] and tonumber(h[2]) or false
            end
          end
          -- One INCRBY numbers all of the commit's messages, in order.
          local number = #c.o > 0 and redis.call('INCRBY', sp .. 'seq:outbox', #c.o) - #c.o + 1
          for _, m in ipairs(c.o) do
            m.j = ARGV[b + m.j]
            numbers[#numbers + 1] = enqueue(m, atIso, retention, number)
            number = number + 1
            local i = 2 + tonumber(m.l) * 2
            scores[i] = int(lower(scores[i] ~= '' and tonumber(scores[i]) or nil, tonumber(m.r)))
          end
          for lane, head in pairs(heads) do
            local i = 2 + tonumber(lane) * 2
            if head and scores[i] ~= '' and head <= tonumber(scores[i]) then scores[i] = '' end
          end

          if c.ct then dropTimer(c.ct) end
          for _, id in ipairs(c.tc) do dropTimer(id) end
          local timers = 0
          for _, t in ipairs(c.ts) do
            -- k: KeepExisting; a timer still there (waiting or claimed, not consumed) is kept and this one dropped.
            if not (t.k and redis.call('EXISTS', sp .. 'tmr:' .. t.id) == 1) then
              dropTimer(t.id)
              redis.call('HSET', sp .. 'tmr:' .. t.id, 'd', t.d, 'j', ARGV[b + t.j])
              redis.call('ZADD', sp .. 'timers', t.d, t.id)
              scores[9] = int(lower(scores[9] ~= '' and tonumber(scores[9]) or nil, tonumber(t.d)))
              timers = timers + 1
            end
          end

          local epoch = '0'
          if #numbers > 0 or timers > 0 then
            epoch = int(redis.call('INCR', sp .. 'epoch'))
          end

          if c.u then
            redis.call('SET', sp .. 'upd:' .. c.u, int(now + tonumber(handled)), 'PX', handled)
          end
          return {0, epoch, scores, numbers}
        end

        """;

    /// <summary>
    /// Group commit: several independent commits of one shard in one run, each applied by <c>commitOne</c> in the order
    /// given, exactly as if each had run alone one after the other (a commit sees what the commits before it wrote: the
    /// second of two commits expecting the same version conflicts, the second with the same update id is a duplicate).
    /// KEYS: the union of every commit's keys (all in the shard's slot). ARGV: shard prefix, now (ms), now (ISO 8601),
    /// handled-update retention (ms), delivery retention (ms), shard id, root prefix ('' when the store updates the work
    /// index after the run: Redis Cluster, for a shard other than the root), then per commit: the number of its parts, the commit (JSON), and its parts (the JSON of its documents, messages
    /// and timers, each an argument of its own that the commit names by its place: no JSON inside JSON, so neither the
    /// store escapes it nor cjson decodes it). Returns {epoch, 9 index times, result…}: the highest epoch any commit reached
    /// ('0' when none added a message or a timer) and per index the earliest time any commit moved it to ('' where none
    /// did): the one reindex of the whole batch, done at the end of the run when the root prefix is given, else by the
    /// store after it; then per commit, in order, {0, number…} when committed, {1} on a
    /// version conflict, {2} for a duplicate update or a consumed timer that is gone, or {3, error} when that commit
    /// could not be decoded or its run raised an error (the others go on; what it wrote before an error stays, as it
    /// would have after the error of a script of its own).
    /// </summary>
    public static readonly RedisScript CommitMany = new(nameof(CommitMany), Grows + Helpers + ReindexFunction + Enqueue + CommitFunction + """
        local now = tonumber(ARGV[2])
        local epoch = 0
        local merged = {'', '', '', '', '', '', '', '', ''}
        local results = {}
        local a = 8
        while a <= #ARGV do
          local r
          local parts = tonumber(ARGV[a])
          if not parts then
            -- The arguments after it cannot be told apart: nothing more is applied.
            results[#results + 1] = {3, 'the commit does not say how many parts it has'}
            break
          end
          local b = a + 1
          a = b + 1 + parts
          local decoded, c = pcall(cjson.decode, ARGV[b])
          if not decoded or type(c) ~= 'table' then
            r = {3, 'the commit is not valid JSON: ' .. tostring(c)}
          else
            local ran, one = pcall(commitOne, c, b, now, ARGV[3], ARGV[4], ARGV[5])
            if not ran then
              r = {3, type(one) == 'table' and tostring(one.err) or tostring(one)}
            elseif one[1] ~= 0 then
              r = {one[1]}
            else
              r = {0}
              if tonumber(one[2]) > epoch then epoch = tonumber(one[2]) end
              for i = 1, 9 do
                local s = one[3][i]
                if s ~= '' and (merged[i] == '' or tonumber(s) < tonumber(merged[i])) then merged[i] = s end
              end
              for _, n in ipairs(one[4]) do r[#r + 1] = n end
            end
          end
          results[#results + 1] = r
        end
        -- One index update for the batch, in this run (same node): as the store's Reindex after it would, additively.
        if ARGV[7] ~= '' and epoch > 0 then
          for i = 1, 9 do
            if merged[i] ~= '' then
              reindex(ARGV[7], ARGV[6], epoch, merged, false)
              break
            end
          end
        end
        local reply = {int(epoch)}
        for i = 1, 9 do reply[#reply + 1] = merged[i] end
        for _, r in ipairs(results) do reply[#reply + 1] = r end
        return reply
        """);

    /// <summary>
    /// ARGV: shard prefix, now (ms), lease end (ms), lane (0–3), set ('retry:' or 'lane:'), count, shard id, root prefix
    /// ('' when the store updates the index after the run), claim token (marks each claimed message, field <c>ct</c>, so a claim whose
    /// answer was lost can be put back: <see cref="ReleaseClaim"/>). Returns expired leases of every lane to their sets (a message put back by Retry,
    /// i.e. with <c>nb</c>, to the lane's retry set), then takes up to <c>count</c> ready messages of the one set, each
    /// leased. Returns the survey after the claim (10 entries: epoch and 9 index times), then per message: number, JSON,
    /// attempts, NotBefore override ('' if none).
    /// </summary>
    public static readonly RedisScript ClaimOutbox = new(nameof(ClaimOutbox), Drains + Helpers + Survey + ReindexFunction + SurveyThenReindex + """
        local now = ARGV[2]
        for lane = 0, 3 do
          local inflight = sp .. 'inflight:' .. lane
          for _, member in ipairs(redis.call('ZRANGEBYSCORE', inflight, '-inf', now)) do
            redis.call('ZREM', inflight, member)
            local h = redis.call('HMGET', sp .. 'ob:' .. unpad(member), 'r', 'nb', 'rc')
            if h[1] then
              local set = h[2] and 'retry:' or 'lane:'
              redis.call('ZADD', sp .. set .. lane, h[1], member)
              if h[3] then redis.call('ZADD', sp .. 'rchat:' .. h[3], unpad(member), member) end
            end
          end
        end
        local out = {}
        local count = tonumber(ARGV[6])
        if count > 0 then
          local key = sp .. ARGV[5] .. ARGV[4]
          for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, count)) do
            redis.call('ZREM', key, member)
            local id = unpad(member)
            local h = redis.call('HMGET', sp .. 'ob:' .. id, 'j', 'a', 'nb', 'rc')
            if h[4] then redis.call('ZREM', sp .. 'rchat:' .. h[4], member) end
            if h[1] then
              redis.call('ZADD', sp .. 'inflight:' .. ARGV[4], ARGV[3], member)
              redis.call('HSET', sp .. 'ob:' .. id, 'ct', ARGV[9])
              out[#out + 1] = id
              out[#out + 1] = h[1]
              out[#out + 1] = h[2] or '0'
              out[#out + 1] = h[3] or ''
            end
          end
        end
        local s = surveyed(ARGV[8], ARGV[7])
        for _, v in ipairs(out) do s[#s + 1] = v end
        return s
        """);

    /// <summary>
    /// ARGV: shard prefix, lane (0–3), lease end (ms), claim token, shard id, root prefix ('' when the store updates the index after the run). Puts back
    /// the messages of a claim whose answer never reached the claimer (Redis died, the connection broke): those still
    /// leased by that claim (lease end and token match) go back to their sets, as an expired lease would. Returns the
    /// survey after it (10 entries).
    /// </summary>
    public static readonly RedisScript ReleaseClaim = new(nameof(ReleaseClaim), Drains + Helpers + Survey + ReindexFunction + SurveyThenReindex + """
        local lane = ARGV[2]
        local inflight = sp .. 'inflight:' .. lane
        for _, member in ipairs(redis.call('ZRANGEBYSCORE', inflight, ARGV[3], ARGV[3])) do
          local okey = sp .. 'ob:' .. unpad(member)
          local h = redis.call('HMGET', okey, 'r', 'nb', 'rc', 'ct')
          if h[4] == ARGV[4] then
            redis.call('ZREM', inflight, member)
            redis.call('HDEL', okey, 'ct')
            if h[1] then
              local set = h[2] and 'retry:' or 'lane:'
              redis.call('ZADD', sp .. set .. lane, h[1], member)
              if h[3] then redis.call('ZADD', sp .. 'rchat:' .. h[3], unpad(member), member) end
            end
          end
        end
        local s = surveyed(ARGV[6], ARGV[5])
        return s
        """);

    /// <summary>
    /// ARGV: shard prefix, now (ms), max, lease end (ms), shard id, root prefix ('' when the store updates the index after the run), claim token. Returns the
    /// survey after the claim (10 entries), then the JSON of each claimed timer. Each claimed timer keeps the token
    /// (<c>ct</c>) so a claim whose answer was lost can be put back (<see cref="ReleaseTimerClaim"/>).
    /// </summary>
    public static readonly RedisScript ClaimTimers = new(nameof(ClaimTimers), Drains + Helpers + Survey + ReindexFunction + SurveyThenReindex + """
        local now = ARGV[2]
        local inflight = sp .. 'timers:inflight'
        local due = sp .. 'timers'
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', inflight, '-inf', now)) do
          redis.call('ZREM', inflight, id)
          local d = redis.call('HGET', sp .. 'tmr:' .. id, 'd')
          if d then redis.call('ZADD', due, d, id) end
        end
        local out = {}
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))) do
          redis.call('ZREM', due, id)
          local j = redis.call('HGET', sp .. 'tmr:' .. id, 'j')
          if j then
            redis.call('ZADD', inflight, ARGV[4], id)
            redis.call('HSET', sp .. 'tmr:' .. id, 'ct', ARGV[7])
            out[#out + 1] = j
          end
        end
        local s = surveyed(ARGV[6], ARGV[5])
        for _, v in ipairs(out) do s[#s + 1] = v end
        return s
        """);

    /// <summary>
    /// ARGV: shard prefix, lease end (ms), claim token, shard id, root prefix ('' when the store updates the index after the run). Puts the timers of a
    /// claim whose answer never arrived back among the due ones (those still leased by that claim: the lease end and
    /// the token both match), then returns the survey (10 entries).
    /// </summary>
    public static readonly RedisScript ReleaseTimerClaim = new(nameof(ReleaseTimerClaim), Drains + Helpers + Survey + ReindexFunction + SurveyThenReindex + """
        local inflight = sp .. 'timers:inflight'
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', inflight, ARGV[2], ARGV[2])) do
          local tkey = sp .. 'tmr:' .. id
          local h = redis.call('HMGET', tkey, 'd', 'ct')
          if h[2] == ARGV[3] then
            redis.call('ZREM', inflight, id)
            redis.call('HDEL', tkey, 'ct')
            if h[1] then redis.call('ZADD', sp .. 'timers', h[1], id) end
          end
        end
        return surveyed(ARGV[5], ARGV[4])
        """);

    /// <summary>ARGV: shard prefix. Returns the shard's survey (10 entries) without changing anything (the sweep).</summary>
    public static readonly RedisScript SurveyShard = new(nameof(SurveyShard), Reads + Helpers + Survey + """
        return survey()
        """);

    /// <summary>ARGV: shard prefix. Returns, per lane 0–3, the messages waiting or in flight.</summary>
    public static readonly RedisScript CountOutbox = new(nameof(CountOutbox), Reads + Helpers + """
        local out = {}
        for lane = 0, 3 do
          out[#out + 1] = redis.call('ZCARD', sp .. 'lane:' .. lane) + redis.call('ZCARD', sp .. 'retry:' .. lane)
            + redis.call('ZCARD', sp .. 'inflight:' .. lane)
        end
        return out
        """);

    /// <summary>
    /// ARGV: root prefix, shard id, epoch, exact ('1' or '0'), then 9 index times. Updates the work index (keys of the
    /// root shard only) after a script of another shard: see <c>reindex</c>.
    /// </summary>
    public static readonly RedisScript Reindex = new(nameof(Reindex), Drains + Helpers + ReindexFunction + """
        local scores = {}
        for i = 1, 9 do scores[i] = ARGV[4 + i] end
        reindex(ARGV[1], ARGV[2], tonumber(ARGV[3]), scores, ARGV[4] == '1')
        return 1
        """);

    /// <summary>
    /// Lua function <c>complete(n, r, retention)</c>: removes outbox message number <c>n</c> from its lane's (every lane's
    /// when its record is gone) queue, retry and in-flight set and stores its final delivery record <c>r</c> (decoded JSON) kept for <c>retention</c> ms.
    /// </summary>
    private const string CompleteFunction = """
        local rank = {Sent = 3, Unreachable = 2, Failed = 1}
        local function complete(id, r, retention)
        local member = pad(id)
        local okey = sp .. 'ob:' .. id
        -- A message stays in its lane (a retry goes to the same lane's retry set): only that lane's sets hold it. One
        -- whose record is gone (or has no lane) is looked for in every lane.
        local held = redis.call('HMGET', okey, 'l', 't')
        local only = held[1]
        for lane = 0, 3 do
          if not only or only == tostring(lane) then
            redis.call('ZREM', sp .. 'lane:' .. lane, member)
            redis.call('ZREM', sp .. 'retry:' .. lane, member)
            redis.call('ZREM', sp .. 'inflight:' .. lane, member)
          end
        end
        local dkey = sp .. 'dlv:' .. id
        local tag = r.t
        if not tag then tag = held[2] end
        if not tag then tag = redis.call('HGET', dkey, 't') end
        redis.call('DEL', okey)
        redis.call('DEL', dkey)
        local fields = {'c', r.c, 's', r.s, 'at', r.at, 'a', r.a}
        if r.m then fields[#fields + 1] = 'm'; fields[#fields + 1] = r.m end
        if r.e then fields[#fields + 1] = 'e'; fields[#fields + 1] = r.e end
        if tag then fields[#fields + 1] = 't'; fields[#fields + 1] = tag end
        redis.call('HSET', dkey, unpack(fields))
        if tag then
          redis.call('ZADD', sp .. 'tag:' .. tag, id, id)
          redis.call('PEXPIRE', sp .. 'tag:' .. tag, retention)
          -- The tag's maintained counts, one outcome per chat: Sent wins over Unreachable, which wins over Failed, so a
          -- chat told twice counts once and recording the same outcome again changes nothing.
          local st = sp .. 'tagst:' .. tag
          local prev = redis.call('HGET', st, r.c)
          if (rank[r.s] or 0) > (prev and (rank[prev] or 0) or -1) then
            redis.call('HSET', st, r.c, r.s)
            local ct = sp .. 'tagc:' .. tag
            if prev then redis.call('HINCRBY', ct, prev, -1) end
            redis.call('HINCRBY', ct, r.s, 1)
            redis.call('PEXPIRE', ct, retention)
          end
          redis.call('PEXPIRE', st, retention)
        end
        redis.call('PEXPIRE', dkey, retention)
        end

        """;

    /// <summary>
    /// Lua function <c>enqueue(m, atIso, tagRetention, number)</c>: adds one outbox message (an element of the commit
    /// JSON's <c>o</c>) under <c>number</c> (the caller takes it from the shard's <c>seq:outbox</c>) with its lane
    /// entry, its Queued delivery record and its tag index; returns the number as text (the store makes the id from
    /// it and the shard).
    /// </summary>
    private const string Enqueue = """
        local function enqueue(m, atIso, tagRetention, number)
          local id = int(number)
          local member = pad(id)
          local okey = sp .. 'ob:' .. id
          local dkey = sp .. 'dlv:' .. id
          redis.call('DEL', dkey)
          if m.t then
            redis.call('HSET', okey, 'j', m.j, 'l', m.l, 'r', m.r, 'a', m.a, 't', m.t)
            redis.call('HSET', dkey, 'c', m.c, 's', 'Queued', 'at', atIso, 'a', m.a, 't', m.t)
          else
            redis.call('HSET', okey, 'j', m.j, 'l', m.l, 'r', m.r, 'a', m.a)
            redis.call('HSET', dkey, 'c', m.c, 's', 'Queued', 'at', atIso, 'a', m.a)
          end
          redis.call('ZADD', sp .. 'lane:' .. m.l, m.r, member)
          if m.t then
            redis.call('ZADD', sp .. 'tag:' .. m.t, id, id)
            redis.call('PEXPIRE', sp .. 'tag:' .. m.t, tagRetention)
            -- Marks the tag's outcome counts as kept from its first message on (a tag of a release before the counts has none).
            redis.call('HSETNX', sp .. 'tagc:' .. m.t, 'v', '1')
            redis.call('PEXPIRE', sp .. 'tagc:' .. m.t, tagRetention)
          end
          return id
        end

        """;

    /// <summary>
    /// Group completion: the outcomes of several claimed messages of one shard in one run. ARGV: shard prefix, delivery
    /// retention (ms), then per message its outbox number and its delivery record (JSON). Each is recorded by
    /// <c>complete</c>, in the order given, as if alone; one that cannot be decoded or raises an error does not
    /// stop the others. Returns per message 1, or the error's text.
    /// </summary>
    public static readonly RedisScript CompleteMany = new(nameof(CompleteMany), Drains + Helpers + CompleteFunction + """
        local out = {}
        for a = 3, #ARGV, 2 do
          local ran, err = pcall(function() complete(ARGV[a], cjson.decode(ARGV[a + 1]), ARGV[2]) end)
          if ran then out[#out + 1] = 1 else out[#out + 1] = type(err) == 'table' and tostring(err.err) or tostring(err) end
        end
        return out
        """);

    /// <summary>
    /// ARGV: shard prefix, outbox number, delivery record (JSON), delivery retention (ms), message (JSON as in the
    /// commit's <c>o</c>), now (ISO 8601), shard id, root prefix ('' when the store updates the index after the run). In one step: records the claimed
    /// message's final outcome and enqueues the message that replaces it (the same message to a migrated group's new chat
    /// id) in the same shard. Returns {number, epoch, 9 index times}, or {} when the message is no longer in the outbox
    /// (its outcome was recorded already: a repeated call changes nothing).
    /// </summary>
    public static readonly RedisScript Forward = new(nameof(Forward), Drains + Helpers + ReindexFunction + CompleteFunction + Enqueue + """
        if redis.call('EXISTS', sp .. 'ob:' .. ARGV[2]) == 0 then return {} end
        complete(ARGV[2], cjson.decode(ARGV[3]), ARGV[4])
        local m = cjson.decode(ARGV[5])
        local n = enqueue(m, ARGV[6], ARGV[4], redis.call('INCR', sp .. 'seq:outbox'))
        local scores = {'', '', '', '', '', '', '', '', ''}
        scores[2 + tonumber(m.l) * 2] = m.r
        local epoch = redis.call('INCR', sp .. 'epoch')
        if ARGV[8] ~= '' then reindex(ARGV[8], ARGV[7], epoch, scores, false) end
        local result = {n, int(epoch)}
        for i = 1, 9 do result[#result + 1] = scores[i] end
        return result
        """);

    /// <summary>
    /// Puts messages of one shard back (a batch: one run, one epoch step, one reindex). ARGV: shard prefix, shard id, root
    /// prefix ('' when the store updates the index after the run), now (ms), then per message: outbox number, NotBefore (ms), NotBefore (ISO 8601), attempts.
    /// Each, in the order given and exactly as if alone, goes into its lane's retry set (score NotBefore), which a claim
    /// drains before the lane's fresh messages. A chat's put-back messages are kept in id order (<c>rchat:{chat}</c>,
    /// members scored by number): a message waits at least as long as the chat's earlier ones still waiting there, and
    /// later ones that would be due sooner are moved to its time. Returns {epoch ('0' when none was known), 9 index
    /// times ('' where none moved), then per message 1 (put back) or 0 (unknown)}.
    /// </summary>
    public static readonly RedisScript Retry = new(nameof(Retry), Drains + Helpers + ReindexFunction + """
        local now = tonumber(ARGV[4])
        local function retryOne(id, readyMs, readyText, attempts)
          local okey = sp .. 'ob:' .. id
          local lane = redis.call('HGET', okey, 'l')
          if not lane then return nil end
          local member = pad(id)
          for l = 0, 3 do
            redis.call('ZREM', sp .. 'lane:' .. l, member)
            redis.call('ZREM', sp .. 'retry:' .. l, member)
            redis.call('ZREM', sp .. 'inflight:' .. l, member)
          end
          local ready, readyIso = tonumber(readyMs), readyText
          local dkey = sp .. 'dlv:' .. id
          local chat = redis.call('HGET', dkey, 'c')
          if chat then
            -- The chat's put-back messages wait in id order: never less long than an earlier one of the chat, and a later
            -- one waits at least as long as this one (so a claim cut off by its limit cannot take a later one first).
            local rkey = sp .. 'rchat:' .. chat
            local function waiting(m)
              local l = redis.call('HGET', sp .. 'ob:' .. unpad(m), 'l')
              return l, l and redis.call('ZSCORE', sp .. 'retry:' .. l, m)
            end
            for _, m in ipairs(redis.call('ZREVRANGEBYSCORE', rkey, '(' .. id, '-inf', 'LIMIT', 0, 32)) do
              local l, s = waiting(m)
              if s then
                if tonumber(s) > ready then
                  ready = tonumber(s)
                  readyIso = redis.call('HGET', sp .. 'ob:' .. unpad(m), 'nb')
                end
                break
              end
              redis.call('ZREM', rkey, m)
            end
            local from, more = '(' .. id, true
            while more do
              local page = redis.call('ZRANGEBYSCORE', rkey, from, '+inf', 'LIMIT', 0, 32)
              more = #page == 32
              for _, m in ipairs(page) do
                from = '(' .. unpad(m)
                local l, s = waiting(m)
                if not s then
                  redis.call('ZREM', rkey, m)
                elseif tonumber(s) < ready then
                  redis.call('ZADD', sp .. 'retry:' .. l, ready, m)
                  redis.call('HSET', sp .. 'ob:' .. unpad(m), 'r', int(ready), 'nb', readyIso)
                else
                  more = false
                  break
                end
              end
            end
            redis.call('ZADD', rkey, id, member)
            redis.call('PEXPIRE', rkey, math.max(0, ready - now) + 3600000)
            redis.call('HSET', okey, 'rc', chat)
          end
          redis.call('HSET', okey, 'r', int(ready), 'nb', readyIso, 'a', attempts)
          redis.call('ZADD', sp .. 'retry:' .. lane, ready, member)
          if redis.call('EXISTS', dkey) == 1 then redis.call('HSET', dkey, 'a', attempts) end
          return lane, ready
        end
        local scores = {'', '', '', '', '', '', '', '', ''}
        local results = {}
        for a = 5, #ARGV, 4 do
          local lane, ready = retryOne(ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3])
          if lane then
            local i = 1 + tonumber(lane) * 2
            scores[i] = int(lower(scores[i] ~= '' and tonumber(scores[i]) or nil, ready))
            results[#results + 1] = 1
          else
            results[#results + 1] = 0
          end
        end
        local epoch = '0'
        for i = 1, 9 do
          if scores[i] ~= '' then
            epoch = int(redis.call('INCR', sp .. 'epoch'))
            if ARGV[3] ~= '' then reindex(ARGV[3], ARGV[2], tonumber(epoch), scores, false) end
            break
          end
        end
        local reply = {epoch}
        for i = 1, 9 do reply[#reply + 1] = scores[i] end
        for _, r in ipairs(results) do reply[#reply + 1] = r end
        return reply
        """);

    /// <summary>ARGV: shard prefix, tag. Returns {number, HGETALL of its record} per known delivery, in number order.</summary>
    public static readonly RedisScript DeliveriesByTag = new(nameof(DeliveriesByTag), Reads + Helpers + """
        local out = {}
        for _, id in ipairs(redis.call('ZRANGE', sp .. 'tag:' .. ARGV[2], 0, -1)) do
          local h = redis.call('HGETALL', sp .. 'dlv:' .. id)
          if #h > 0 then out[#out + 1] = {id, h} end
        end
        return out
        """);

    /// <summary>
    /// KEYS: the lease. ARGV: owner, time to live (ms). Takes a free lease, or extends the owner's own; 1 when the owner
    /// holds it afterwards, 0 when another does. Redis's clock judges the expiry. Runs over maxmemory (tiny, and polling
    /// must not stop because memory is full).
    /// </summary>
    public static readonly RedisScript AcquireLease = new(nameof(AcquireLease), Drains + """
        local holder = redis.call('GET', KEYS[1])
        if not holder then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        if holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """);

    /// <summary>KEYS: the lease. ARGV: owner. Deletes it when the owner holds it (1); otherwise 0.</summary>
    public static readonly RedisScript ReleaseLease = new(nameof(ReleaseLease), Drains + """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """);

    /// <summary>
    /// KEYS: the instance registry (a sorted set of "instance\nsettings", scored by expiry on Redis's clock). ARGV:
    /// instance, settings, time to live (ms). Drops ended entries and this instance's old one, adds the new one and
    /// returns every live entry.
    /// </summary>
    public static readonly RedisScript AnnounceInstance = new(nameof(AnnounceInstance), Drains + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local mine = ARGV[1] .. '\n'
        for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          if string.sub(m, 1, #mine) == mine then redis.call('ZREM', KEYS[1], m) end
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), mine .. ARGV[2])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
        return redis.call('ZRANGE', KEYS[1], 0, -1)
        """);
    /// <summary>
    /// The senders' shared rate gates (GCRA: a key holds the "theoretical arrival time" in microseconds on Redis's clock),
    /// for one or more messages in one run (a claim's messages: one round trip, not one per message), judged in order.
    /// KEYS: the bot's gate, the paid-broadcast gate (the bot's again when there is none), the pause, then per message the
    /// chat's gate and the chat's turn. ARGV: bot interval (µs), bot tolerance (µs, burst − 1 intervals), paid interval,
    /// paid tolerance, slack (µs), owner, turn time to live (ms), horizon (µs, −1: none), then per message: ordered (0: only a pause applies; 1;
    /// 2: the bot's slot only, for a message whose chat's turn and slot this owner holds already), paid (0/1), chat
    /// interval, chat tolerance. Returns per message {verdict, wait µs}: 0 go (after the wait), 1 chat busy, 2 chat
    /// later, 3 paused. The chat's slot is judged at the time the bot's slot allows the send, so the chat's spacing holds
    /// between the sends themselves. 4 bot later: the bot's slot is further ahead than the horizon (nothing taken).
    /// </summary>
    public static readonly RedisScript TakeRate = new(nameof(TakeRate), Drains + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local function tat(key) return tonumber(redis.call('GET', key) or '0') end
        local function keep(key, value) redis.call('SET', key, string.format('%d', value), 'PX', math.floor((value - now) / 1000) + 2) end
        local pause = tat(KEYS[3])
        local slack = tonumber(ARGV[5])
        local gates = {{KEYS[1], tat(KEYS[1]), tonumber(ARGV[1]), tonumber(ARGV[2]), false}, {KEYS[2], 0, tonumber(ARGV[3]), tonumber(ARGV[4]), false}}
        if KEYS[2] ~= KEYS[1] then gates[2][2] = tat(KEYS[2]) end
        local out = {}
        local n = (#KEYS - 3) / 2
        for i = 1, n do
          local a = 8 + (i - 1) * 4
          local chatKey, turnKey = KEYS[2 + i * 2], KEYS[3 + i * 2]
          if pause > now then
            out[#out + 1] = 3; out[#out + 1] = pause - now
          elseif ARGV[a + 1] == '0' then
            out[#out + 1] = 0; out[#out + 1] = 0
          else
            local holder = nil
            if ARGV[a + 1] == '1' then holder = redis.call('GET', turnKey) end
            if holder and holder ~= ARGV[6] then
              out[#out + 1] = 1; out[#out + 1] = 0
            else
              local g = gates[1]
              if ARGV[a + 2] == '1' and KEYS[2] ~= KEYS[1] then g = gates[2] end
              local at = now
              if g[2] - now > g[4] then at = g[2] - g[4] end
              local horizon = tonumber(ARGV[8])
              local chat = 0
              local allowed = at
              if ARGV[a + 1] == '1' then
                chat = tat(chatKey)
                if chat - at > tonumber(ARGV[a + 4]) then allowed = chat - tonumber(ARGV[a + 4]) end
              end
              if allowed > at + slack then
                out[#out + 1] = 2; out[#out + 1] = allowed - now
              elseif horizon >= 0 and at - now > horizon then
                out[#out + 1] = 4; out[#out + 1] = at - now
              else
                if ARGV[a + 1] == '1' then
                  keep(chatKey, math.max(chat, at) + tonumber(ARGV[a + 3]))
                  redis.call('SET', turnKey, ARGV[6], 'PX', ARGV[7])
                end
                g[2] = math.max(g[2], at) + g[3]
                g[5] = true
                out[#out + 1] = 0; out[#out + 1] = at - now
              end
            end
          end
        end
        for _, g in ipairs(gates) do
          if g[5] then keep(g[1], g[2]) end
        end
        return out
        """);

    /// <summary>KEYS: chats' turns. ARGV: owner. Gives back each turn this owner holds.</summary>
    public static readonly RedisScript ReleaseTurns = new(nameof(ReleaseTurns), Drains + """
        local n = 0
        for _, key in ipairs(KEYS) do
          if redis.call('GET', key) == ARGV[1] then
            redis.call('DEL', key)
            n = n + 1
          end
        end
        return n
        """);

    /// <summary>
    /// After a 429. KEYS: the pause key, then the gates to push back. ARGV: retry_after (µs), 1 to set the pause (0 for a
    /// chat: KEYS[1] is then only a placeholder in the same slot), then each gate's tolerance (µs). Nothing is allowed
    /// before now + retry_after, and no burst right after (each gate's time moves to that end + its tolerance).
    /// </summary>
    public static readonly RedisScript PauseRate = new(nameof(PauseRate), Drains + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local untilAt = now + tonumber(ARGV[1])
        local ttl = math.floor(tonumber(ARGV[1]) / 1000) + 2
        if ARGV[2] == '1' then
          local old = tonumber(redis.call('GET', KEYS[1]) or '0')
          if untilAt > old then redis.call('SET', KEYS[1], string.format('%d', untilAt), 'PX', ttl) end
        end
        for i = 2, #KEYS do
          local old = tonumber(redis.call('GET', KEYS[i]) or '0')
          local pushed = untilAt + tonumber(ARGV[i + 1])
          if pushed > old then redis.call('SET', KEYS[i], string.format('%d', pushed), 'PX', ttl + math.floor(tonumber(ARGV[i + 1]) / 1000)) end
        end
        return 1
        """);
}
