using System.Globalization;
using System.Text;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Musters;

namespace MusterBot.Flows.Posts;

/// <summary>
/// The posts and branches at a muster's close: each member's service written to their emergency record (the
/// <see cref="MusterAnswer.Service"/> of their answer — in the muster, or in the follow-up muster that brought them) and
/// points, the report's section and the <c>M-N-posts.csv</c>.
/// </summary>
public static class PostRecord
{
    public const int MaxReportLength = 3_500;

    /// <summary>Everything the close needs, read once.</summary>
    public sealed record Snapshot(IReadOnlyList<PostFlow.Staffing> Posts, IReadOnlyList<TempBranch> Branches, IReadOnlyDictionary<long, string> Names)
    {
        public static readonly Snapshot Empty = new([], [], new Dictionary<long, string>());

        public TempBranch? BranchOf(long userId) => Branches.FirstOrDefault(b => b.Members.Contains(userId));

        /// <summary>Each member's service: their post and shift, their branch.</summary>
        public Dictionary<long, PostService> Services()
        {
            var services = new Dictionary<long, PostService>();
            foreach (var staffing in Posts)
            {
                foreach (var (person, seat) in staffing.People)
                {
                    services[person.Id] = new PostService
                    {
                        Post = staffing.Post.Code, Kind = staffing.Post.Kind, Place = staffing.Post.Place, Shift = staffing.Post.HasRota ? seat.Shift : 0, Leader = staffing.Post.LeaderId == person.Id,
                    };
                }
            }

            foreach (var branch in Branches)
            {
                foreach (var id in branch.Members)
                {
                    services[id] = (services.GetValueOrDefault(id) ?? new PostService()) with { Branch = branch.Code, Secretary = branch.SecretaryId == id };
                }
            }

            return services;
        }
    }

    public static async ValueTask<Snapshot> LoadAsync(DocReader reader, Muster muster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(muster);
        if (!muster.HasPosts)
        {
            return Snapshot.Empty;
        }

        var posts = new List<PostFlow.Staffing>();
        foreach (var post in await PostFlow.PostsAsync(reader, muster.Number, cancellationToken).ConfigureAwait(false))
        {
            posts.Add(await PostFlow.StaffingAsync(reader, post, cancellationToken).ConfigureAwait(false));
        }

        var branches = await PostFlow.BranchListAsync(reader, muster.Number, cancellationToken).ConfigureAwait(false);
        var names = posts.SelectMany(p => p.People.Select(x => x.Person)).DistinctBy(p => p.Id).ToDictionary(p => p.Id, p => p.FirstName);
        foreach (var missing in (await reader.GetManyAsync<UserProfile>(branches.SelectMany(b => b.Members.Append(b.SecretaryId)).Where(id => !names.ContainsKey(id)).Distinct().Select(DocKeys.User).ToList(), cancellationToken).ConfigureAwait(false)).OfType<UserProfile>())
        {
            names[missing.Id] = missing.FirstName;
        }

        return new Snapshot(posts, branches, names);
    }

    /// <summary>
    /// Writes each member's service into their emergency record and awards the points of a real muster (or a drill
    /// that awards points): <see cref="MusterOptions.PointsPost"/> for a place at a post, and
    /// <see cref="MusterOptions.PointsBranchSecretary"/> for a branch's secretary. Returns the service per member.
    /// </summary>
    public static async ValueTask<Dictionary<long, PostService>> WriteAsync(FlowContext ctx, MusterOptions options, Muster closed, Snapshot snapshot, bool awardPoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(closed);
        ArgumentNullException.ThrowIfNull(snapshot);
        // Every post read is written back: a place taken while the close is decided makes the close run again with it.
        foreach (var staffing in snapshot.Posts)
        {
            ctx.Effects.Put(DocKeys.Post(closed.Number, staffing.Post.Number), staffing.Post);
        }

        var services = snapshot.Services();
        if (services.Count == 0)
        {
            return services;
        }

        var followUps = snapshot.Posts.SelectMany(p => p.Post.FollowUps).Distinct().ToList();
        await Points.PointsLedger.PrefetchAsync(ctx, services.Keys.SelectMany(id => new[] { (id, PostSource(closed)), (id, BranchSource(closed)) }), cancellationToken).ConfigureAwait(false);
        foreach (var (id, service) in services.OrderBy(s => s.Key))
        {
            // The record: the answer with which the member arrived — in this muster, or in the follow-up muster that
            // brought them to the post (a member called by both and arrived by the follow-up); else their answer here.
            var answers = (await ctx.Reader.GetManyAsync<MusterAnswer>(followUps.Prepend(closed.Number).Select(n => DocKeys.MusterAnswer(n, id)).ToList(), cancellationToken).ConfigureAwait(false)).OfType<MusterAnswer>().ToList();
            var answer = answers.FirstOrDefault(a => a.Status == CheckInStatus.Arrived) ?? answers.FirstOrDefault();

            if (answer is not null)
            {
                ctx.Effects.Put(DocKeys.MusterAnswer(answer.Muster, id), answer with { Service = service });
            }

            // Points only for someone whose answer of record is "arrived" (seats are given up when an answer leaves it).
            if (!awardPoints || answer is not { Status: CheckInStatus.Arrived })
            {
                continue;
            }

            if (service.Post is not null)
            {
                await Points.PointsLedger.AwardAsync(ctx, id, options.PointsPost, "post.served", PostSource(closed), cancellationToken).ConfigureAwait(false);
            }

            if (service.Secretary)
            {
                await Points.PointsLedger.AwardAsync(ctx, id, options.PointsBranchSecretary, "branch.secretary", BranchSource(closed), cancellationToken).ConfigureAwait(false);
            }
        }

        return services;
    }

    /// <summary>The points ledger's source of a post's points ("M-12:post": the points history shows "M-12").</summary>
    public static string PostSource(Muster muster)
    {
        ArgumentNullException.ThrowIfNull(muster);
        return muster.Code + ":post";
    }

    public static string BranchSource(Muster muster)
    {
        ArgumentNullException.ThrowIfNull(muster);
        return muster.Code + ":branch";
    }

    /// <summary>"📌 P-1 · shift 2 · 👑 · 🚩 B-1 secretary" for a member's close message (empty: no service).</summary>
    public static string MemberLine(TextCatalog texts, Language language, PostService? service)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (service is null)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        if (service.Post is { } post)
        {
            parts.Add("\U0001F4CC " + post + (service.Kind is { } kind ? " " + texts.Get(language, "po.kind." + kind) : string.Empty) + (service.Place is { } place ? " \u00b7 " + Html.Escape(place) : string.Empty)
                + (service.Shift > 0 ? " \u00b7 " + texts.Format(language, "po.record.shift", service.Shift) : string.Empty) + (service.Leader ? " \U0001F451" : string.Empty));
        }

        if (service.Branch is { } branch)
        {
            parts.Add("\U0001F6A9 " + branch + (service.Secretary ? texts.Get(language, "po.branch.secretary_mark") : string.Empty));
        }

        return string.Join(" \u00b7 ", parts);
    }

    /// <summary>The close report's section: each post (staffed per shift, leader, handovers, follow-ups) and each branch.</summary>
    public static string? Report(TextCatalog texts, Language language, Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Posts.Count == 0)
        {
            return null;
        }

        var sb = new StringBuilder();
        foreach (var staffing in snapshot.Posts)
        {
            var post = staffing.Post;
            var counts = string.Join(" \u00b7 ", Enumerable.Range(1, post.Shifts).Select(s => $"{staffing.In(s)}/{post.Needed}"));
            var leader = post.LeaderId is { } l ? Html.Escape(snapshot.Names.GetValueOrDefault(l, "?")) : texts.Get(language, "wf.nobody");
            sb.Append('\n').Append(texts.Format(language, "po.report.post", post.Code, texts.Get(language, "po.kind." + post.Kind), Html.Escape(post.Place), counts, leader));
            if (post.HasRota)
            {
                sb.Append(texts.Format(language, "po.report.handovers", post.Handovers.Count, post.Shifts - 1));
            }

            if (post.FollowUps.Count > 0)
            {
                sb.Append(texts.Format(language, "po.report.follow_ups", string.Join(", ", post.FollowUps.Select(f => "M-" + f.ToString(CultureInfo.InvariantCulture)))));
            }
        }

        foreach (var branch in snapshot.Branches)
        {
            var where = branch.Post is not { } p ? texts.Get(language, "po.branch.whole")
                : snapshot.Posts.FirstOrDefault(x => x.Post.Number == p) is { } at ? at.Post.Code : texts.Format(language, "po.branch.post_removed", "P-" + p.ToString(CultureInfo.InvariantCulture));
            sb.Append('\n').Append(texts.Format(language, "po.report.branch", branch.Code, Html.Escape(where), Html.Escape(snapshot.Names.GetValueOrDefault(branch.SecretaryId, "?")), branch.Members.Count));
        }

        var text = sb.ToString().TrimStart('\n');
        if (text.Length <= MaxReportLength)
        {
            return text;
        }

        var cut = text.LastIndexOf('\n', MaxReportLength);
        return text[..(cut > 0 ? cut : MaxReportLength)] + "\n\u2026";
    }

    /// <summary>One row per member at a post or in a branch (UTF-8 with BOM).</summary>
    public static byte[] Csv(TextCatalog texts, Language language, TimeSpan offset, Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(snapshot);
        string Local(DateTimeOffset at) => at.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("post,kind,place,shift,shift_from,shift_to,member,phone,leader,since,branch,branch_role\r\n");
        var seen = new HashSet<long>();
        foreach (var staffing in snapshot.Posts)
        {
            var post = staffing.Post;
            foreach (var (person, seat) in staffing.People.OrderBy(p => p.Seat.Shift).ThenBy(p => p.Person.Id))
            {
                seen.Add(person.Id);
                var branch = snapshot.BranchOf(person.Id);
                string[] cells =
                [
                    post.Code, texts.Get(language, "po.kind." + post.Kind), post.Place, post.HasRota ? seat.Shift.ToString(CultureInfo.InvariantCulture) : string.Empty,
                    post.HasRota ? Local(post.ShiftStart(seat.Shift)) : string.Empty, post.HasRota ? Local(post.ShiftEnd(seat.Shift)) : string.Empty,
                    person.FirstName, person.Phone ?? string.Empty, post.LeaderId == person.Id ? "yes" : string.Empty, Local(seat.Since),
                    branch?.Code ?? string.Empty, branch is null ? string.Empty : branch.SecretaryId == person.Id ? "secretary" : "member",
                ];
                sb.Append(string.Join(",", cells.Select(MusterFlow.CsvCell))).Append("\r\n");
            }
        }

        foreach (var branch in snapshot.Branches)
        {
            foreach (var id in branch.Members.Where(id => !seen.Contains(id)).Order())
            {
                string[] cells = [string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, snapshot.Names.GetValueOrDefault(id, "#" + MusterView.Num(id)), string.Empty, string.Empty, string.Empty, branch.Code, branch.SecretaryId == id ? "secretary" : "member"];
                sb.Append(string.Join(",", cells.Select(MusterFlow.CsvCell))).Append("\r\n");
            }
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }
}
