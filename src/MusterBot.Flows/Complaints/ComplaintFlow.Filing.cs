using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;
using MusterBot.State.Records.Directory;

namespace MusterBot.Flows.Complaints;

public sealed partial class ComplaintFlow
{
    /// <summary>/complain: category → description → photos → location → anonymous? → (a similar open one?) → confirm.</summary>
    private void BeginFiling(FlowContext ctx, bool hazard)
    {
        if (ctx.Profile.RegisteredAt is null)
        {
            ctx.Reply(ctx.T("cp.f.register_first"), Menu(ctx));
            return;
        }

        if (hazard)
        {
            // Emergency mode, "report a hazard": an urgent public-safety complaint, straight to the description.
            Move(ctx, ComplaintStep.Idle, ComplaintTrigger.BeginHazard, new Dictionary<string, string> { ["cat"] = nameof(ComplaintCategory.PublicSafety), ["urgent"] = "1" });
            ctx.Reply(ctx.T("cp.f.hazard_ask", MaxDescription), CancelFiling(ctx));
            return;
        }

        Move(ctx, ComplaintStep.Idle, ComplaintTrigger.Begin, []);
        ctx.Reply(ctx.T("cp.f.ask_category"), CategoryButtons(ctx));
    }

    private static InlineMarkup CancelFiling(FlowContext ctx) => new([[new InlineButton(ctx.T("button.cancel"), P + "f:x")]]);

    private InlineMarkup CategoryButtons(FlowContext ctx)
    {
        var rows = Enum.GetValues<ComplaintCategory>().Select(c => new InlineButton(Category(ctx.Language, c), $"{P}f:cat:{c}")).Rows(2);
        rows.Add([new InlineButton(ctx.T("button.cancel"), P + "f:x")]);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup PhotosButtons(FlowContext ctx, int count) => new([[
        new InlineButton(ctx.T(count == 0 ? "cp.btn.no_photo" : "cp.btn.photos_done"), P + "f:pdone"),
        new InlineButton(ctx.T("button.cancel"), P + "f:x")]]);

    private static InlineMarkup LocationButtons(FlowContext ctx) => new([[
        new InlineButton(ctx.T("cp.btn.no_location"), P + "f:loc"),
        new InlineButton(ctx.T("button.cancel"), P + "f:x")]]);

    private static InlineMarkup AnonymousButtons(FlowContext ctx) => new([
        [new InlineButton(ctx.T("cp.btn.named"), P + "f:anon:0"), new InlineButton(ctx.T("cp.btn.anonymous"), P + "f:anon:1")],
        [new InlineButton(ctx.T("button.cancel"), P + "f:x")]]);

    private static InlineMarkup ConfirmButtons(FlowContext ctx) => new([[
        new InlineButton(ctx.T("cp.btn.submit"), P + "f:ok"),
        new InlineButton(ctx.T("button.cancel"), P + "f:x")]]);

    private async ValueTask OnFilingInputAsync(FlowContext ctx, ComplaintStep step, CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (step)
        {
            case ComplaintStep.Description when ctx.Event is TextReceived text:
                var description = text.Text.Trim();
                if (description.Length == 0 || description.Length > MaxDescription)
                {
                    ctx.Reply(ctx.T("cp.f.description_length", MaxDescription, description.Length), CancelFiling(ctx));
                    return;
                }

                data["text"] = description;
                Move(ctx, step, ComplaintTrigger.Next, data);
                ctx.Reply(ctx.T("cp.f.ask_photos", _options.MaxPhotos), PhotosButtons(ctx, 0));
                return;
            case ComplaintStep.Photos when ctx.Event is PhotoReceived photo:
                var photos = Photos(data);
                if (photos.Count >= _options.MaxPhotos)
                {
                    // The 10th (or 20th) photo of an album: refused kindly, the first ones are kept — once per album,
                    // not once for each photo over the limit.
                    if (photo.MediaGroupId is { } group)
                    {
                        if (data.GetValueOrDefault("refused") == group)
                        {
                            return;
                        }

                        data["refused"] = group;
                        ctx.Conversation = ctx.Conversation with { Data = data, UpdatedAt = ctx.Now };
                    }

                    ctx.Reply(ctx.T("cp.f.too_many_photos", _options.MaxPhotos), PhotosButtons(ctx, photos.Count));
                    return;
                }

                photos.Add(photo.FileId);
                data["photos"] = string.Join(",", photos);
                ctx.Conversation = ctx.Conversation with { Data = data, UpdatedAt = ctx.Now };
                if (photo.MediaGroupId is null || photos.Count == 1)
                {
                    ctx.Reply(ctx.T("cp.f.photo_saved", photos.Count, _options.MaxPhotos), PhotosButtons(ctx, photos.Count));
                }

                return;
            case ComplaintStep.Location when ctx.Event is LocationShared location:
                if (!Near(location.Latitude, location.Longitude))
                {
                    ctx.Reply(ctx.T("cp.f.location_far", _options.RadiusKm.ToString("0.#", CultureInfo.InvariantCulture)), LocationButtons(ctx));
                    return;
                }

                data["lat"] = location.Latitude.ToString("R", CultureInfo.InvariantCulture);
                data["lon"] = location.Longitude.ToString("R", CultureInfo.InvariantCulture);
                await AfterLocationAsync(ctx, step, data, edit: false, cancellationToken).ConfigureAwait(false);
                return;
            default:
                var (key, markup) = step switch
                {
                    ComplaintStep.Category => ("cp.f.category_hint", CategoryButtons(ctx)),
                    ComplaintStep.Description => ("cp.f.description_hint", CancelFiling(ctx)),
                    ComplaintStep.Photos => ("cp.f.photos_hint", PhotosButtons(ctx, Photos(data).Count)),
                    ComplaintStep.Location => ("cp.f.location_hint", LocationButtons(ctx)),
                    ComplaintStep.Anonymous => ("cp.f.anonymous_hint", AnonymousButtons(ctx)),
                    _ => ("cp.f.confirm_hint", ConfirmButtons(ctx)),
                };
                ctx.Reply(ctx.T(key, MaxDescription), markup);
                return;
        }
    }

    private static List<string> Photos(Dictionary<string, string> data) =>
        data.TryGetValue("photos", out var v) && v.Length > 0 ? [.. v.Split(',')] : [];

    /// <summary>Within the configured radius of the community's centre (haversine); true when no centre is set.</summary>
    private bool Near(double latitude, double longitude)
    {
        if (_options.CenterLatitude is not { } lat0 || _options.CenterLongitude is not { } lon0)
        {
            return latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180;
        }

        static double Rad(double d) => d * Math.PI / 180;
        var dLat = Rad(latitude - lat0);
        var dLon = Rad(longitude - lon0);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Rad(lat0)) * Math.Cos(Rad(latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        var km = 6371 * 2 * Math.Atan2(Math.Sqrt(a), Math.Sqrt(1 - a));
        return km <= _options.RadiusKm;
    }

    private async ValueTask OnFilingButtonAsync(FlowContext ctx, ComplaintStep step, string[] parts, CancellationToken cancellationToken)
    {
        if (!FilingSteps.Contains(step))
        {
            ctx.AnswerButton(ctx.T("button.expired_hint"));
            return;
        }

        var action = parts.Length > 2 ? parts[2] : string.Empty;
        var arg = parts.Length > 3 ? parts[3] : string.Empty;
        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (action)
        {
            case "x":
                ctx.AnswerButton();
                Move(ctx, step, ComplaintTrigger.Cancel);
                ctx.Show(ctx.T("cp.f.cancelled"), null);
                return;
            case "cat" when step == ComplaintStep.Category && Enum.TryParse<ComplaintCategory>(arg, out var category) && Enum.IsDefined(category):
                ctx.AnswerButton();
                data["cat"] = category.ToString();
                Move(ctx, step, ComplaintTrigger.Next, data);
                ctx.Show(ctx.T("cp.f.ask_description", Category(ctx.Language, category), MaxDescription), CancelFiling(ctx));
                return;
            case "pdone" when step == ComplaintStep.Photos:
                ctx.AnswerButton();
                Move(ctx, step, ComplaintTrigger.Next, data);
                ctx.Show(ctx.T("cp.f.ask_location"), LocationButtons(ctx));
                return;
            case "loc" when step == ComplaintStep.Location:
                ctx.AnswerButton();
                await AfterLocationAsync(ctx, step, data, edit: true, cancellationToken).ConfigureAwait(false);
                return;
            case "anon" when step == ComplaintStep.Anonymous && arg is "0" or "1":
                ctx.AnswerButton();
                data["anon"] = arg;
                await AfterAnonymousAsync(ctx, step, data, cancellationToken).ConfigureAwait(false);
                return;
            case "join" when step == ComplaintStep.Similar && int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var other):
                await JoinAsync(ctx, other, cancellationToken).ConfigureAwait(false);
                return;
            case "new" when step == ComplaintStep.Similar:
                ctx.AnswerButton();
                Move(ctx, step, ComplaintTrigger.Next, data);
                await ShowPreviewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
                return;
            case "ok" when step == ComplaintStep.Confirm:
                await SubmitAsync(ctx, data, cancellationToken).ConfigureAwait(false);
                Move(ctx, step, ComplaintTrigger.Submit);
                return;
            default:
                ctx.AnswerButton(ctx.T("button.stale"));
                return;
        }
    }

    private async ValueTask AfterLocationAsync(FlowContext ctx, ComplaintStep step, Dictionary<string, string> data, bool edit, CancellationToken cancellationToken)
    {
        if (data.GetValueOrDefault("urgent") == "1")
        {
            // A hazard report is never anonymous (responders may need to call back) and skips the duplicate offer.
            data["anon"] = "0";
            Move(ctx, step, ComplaintTrigger.Next, data, ComplaintStep.Confirm);
            await ShowPreviewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
            return;
        }

        Move(ctx, step, ComplaintTrigger.Next, data, ComplaintStep.Anonymous);
        if (edit)
        {
            ctx.Show(ctx.T("cp.f.ask_anonymous"), AnonymousButtons(ctx));
        }
        else
        {
            ctx.Reply(ctx.T("cp.f.ask_anonymous"), AnonymousButtons(ctx));
        }
    }

    /// <summary>Offers to join a similar open complaint of the same grid and category (newest five), else previews.</summary>
    private async ValueTask AfterAnonymousAsync(FlowContext ctx, ComplaintStep step, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        var category = Enum.Parse<ComplaintCategory>(data["cat"]);
        var open = (await ctx.Reader.MembersAsync(Sets.OpenComplaints(ctx.Profile.GridId, category), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).OrderDescending().Take(5).ToList();
        var similar = (await ctx.Reader.GetManyAsync<Complaint>(open.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false))
            .OfType<Complaint>().Where(c => c.IsOpen && c.FiledBy != ctx.Profile.Id && !c.Followers.Contains(ctx.Profile.Id)).ToList();
        if (similar.Count == 0)
        {
            Move(ctx, step, ComplaintTrigger.Next, data);
            await ShowPreviewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
            return;
        }

        Move(ctx, step, ComplaintTrigger.Similar, data);
        var sb = new StringBuilder(ctx.T("cp.f.similar_head")).Append('\n');
        foreach (var c in similar)
        {
            var preview = c.Description.Length > 60 ? c.Description[..60] + "…" : c.Description;
            sb.Append("<b>").Append(c.Code).Append("</b> ").Append(Html.Escape(preview)).Append(" (").Append(Status(ctx.Language, c.Status)).Append(")\n");
        }

        var rows = similar.Select(c => new InlineButton(ctx.T("cp.btn.join", c.Code), $"{P}f:join:{Num(c.Number)}")).Rows(2);
        rows.Add([new InlineButton(ctx.T("cp.btn.file_new"), P + "f:new"), new InlineButton(ctx.T("button.cancel"), P + "f:x")]);
        ctx.Show(sb.ToString().TrimEnd(), new InlineMarkup(rows));
    }

    /// <summary>Joins an open complaint: the resident gets the same updates from now on; no new complaint is filed.</summary>
    private async ValueTask JoinAsync(FlowContext ctx, int number, CancellationToken cancellationToken)
    {
        var complaint = await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(number), cancellationToken).ConfigureAwait(false);
        if (complaint is not null && (complaint.GridId != ctx.Profile.GridId || complaint.Category.ToString() != ctx.Conversation.Data.GetValueOrDefault("cat")))
        {
            // Only a complaint that was offered (same grid and category): callback data is never trusted alone.
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        if (complaint is null || !complaint.IsOpen)
        {
            ctx.AnswerButton(ctx.T("cp.f.join_closed"), alert: true);
            return;
        }

        ctx.AnswerButton();
        Move(ctx, ComplaintStep.Similar, ComplaintTrigger.Join);
        if (complaint.FiledBy != ctx.Profile.Id && !complaint.Followers.Contains(ctx.Profile.Id))
        {
            Save(ctx, complaint, (complaint with { Followers = [.. complaint.Followers, ctx.Profile.Id] }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "joined")));
            ctx.Effects.AddToSet(Sets.ComplaintsOf(ctx.Profile.Id), Num(number));
        }

        ctx.Show(ctx.T("cp.f.joined", complaint.Code, Status(ctx.Language, complaint.Status)), null);
    }

    private async ValueTask ShowPreviewAsync(FlowContext ctx, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var draft = Draft(ctx, data, 0);
        var sb = new StringBuilder(ctx.T("cp.f.preview_head")).Append("\n\n");
        sb.Append(Card(ctx.Language, draft, ctx.Profile, null, directory, forAdmin: true).Replace("C-0000", "C-?", StringComparison.Ordinal));
        ctx.Show(sb.ToString(), ConfirmButtons(ctx));
    }

    private Complaint Draft(FlowContext ctx, Dictionary<string, string> data, int number)
    {
        var category = Enum.TryParse<ComplaintCategory>(data.GetValueOrDefault("cat"), out var c) ? c : ComplaintCategory.Other;
        var urgent = data.GetValueOrDefault("urgent") == "1";
        return new Complaint(number, ctx.Profile.Id, category, data.GetValueOrDefault("text") ?? string.Empty, ctx.Now)
        {
            GridId = ctx.Profile.GridId,
            PhotoFileIds = Photos(data),
            Latitude = double.TryParse(data.GetValueOrDefault("lat"), NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ? lat : null,
            Longitude = double.TryParse(data.GetValueOrDefault("lon"), NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) ? lon : null,
            Anonymous = data.GetValueOrDefault("anon") == "1",
            Urgent = urgent,
            RespondBy = ctx.Now + _options.Respond(category, urgent),
            ResolveBy = ctx.Now + _options.Resolve(category),
        };
    }

    /// <summary>
    /// Files it: numbered, the filer gets the number and the expected response time, it goes to the grid's handler
    /// (the grid worker with the lowest id; an administrator can reassign) or waits for an administrator, and the
    /// deadlines are armed.
    /// </summary>
    private async ValueTask SubmitAsync(FlowContext ctx, Dictionary<string, string> data, CancellationToken cancellationToken)
    {
        var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
        var number = counters.Complaints + 1;
        ctx.Effects.Put(DocKeys.Counters, counters with { Complaints = number });
        var complaint = Draft(ctx, data, number).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "filed"));
        var handlerId = await DefaultHandlerAsync(ctx, complaint.GridId, cancellationToken).ConfigureAwait(false);
        if (handlerId is { } h)
        {
            complaint = (complaint with { Status = ComplaintStatus.Assigned, HandlerId = h, AssignedAt = ctx.Now })
                .With(new ComplaintEvent(ctx.Now, 0, "assigned") { Detail = Num(h) + " (grid default)" });
            ctx.Effects.AddToSet(Sets.ComplaintsHandledBy(h), Num(number));
        }

        ctx.Effects.Put(DocKeys.Complaint(number), complaint);
        ctx.Effects.AddToSet(Sets.Complaints, Num(number));
        ctx.Effects.AddToSet(Sets.OpenComplaints(complaint.GridId, complaint.Category), Num(number));
        ctx.Effects.AddToSet(Sets.ComplaintsOf(ctx.Profile.Id), Num(number));
        ArmDeadlines(ctx, complaint);
        ctx.AnswerButton();
        ctx.Show(ctx.T("cp.f.filed", complaint.Code, Time(complaint.RespondBy)), null);

        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var handler = await ProfileAsync(ctx, handlerId, cancellationToken).ConfigureAwait(false);
        await TellAdminsAsync(ctx, complaint, language => texts.Get(language, "cp.new_for_admin") + "\n" + Card(language, complaint, ctx.Profile, handler, directory, forAdmin: true), language => AdminButtons(language, complaint), cancellationToken).ConfigureAwait(false);
        if (handler is not null)
        {
            Tell(ctx, complaint, handler, texts.Get(handler.Language, "cp.new_for_handler") + "\n" + Card(handler.Language, complaint, ctx.Profile, handler, directory, forAdmin: false), HandlerButtons(handler.Language, complaint));
        }

        foreach (var photo in complaint.PhotoFileIds.Take(3))
        {
            foreach (var to in new[] { handler }.OfType<UserProfile>())
            {
                ctx.Effects.Publish(new OutboxMessage(complaint.Urgent ? Lane.Emergency : Lane.Normal, to.ChatId, new SendPhoto(photo, Html.Escape(complaint.Code))));
            }
        }
    }

    private static async ValueTask<long?> DefaultHandlerAsync(FlowContext ctx, string? gridId, CancellationToken cancellationToken)
    {
        if (gridId is null)
        {
            return null;
        }

        var inGrid = (await ctx.Reader.MembersAsync(Sets.PeopleInGrid(gridId), cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var handlers = (await ctx.Reader.MembersAsync(Sets.PeopleWithRole(Roles.Handler), cancellationToken).ConfigureAwait(false))
            .Where(inGrid.Contains).Select(id => long.Parse(id, CultureInfo.InvariantCulture)).Order().ToList();
        return handlers.Count > 0 ? handlers[0] : null;
    }

    private InlineMarkup AdminButtons(Language language, Complaint complaint) => new([[
        new InlineButton(texts.Get(language, complaint.HandlerId is null ? "cp.btn.assign" : "cp.btn.reassign"), $"{P}as:{Num(complaint.Number)}"),
        new InlineButton(texts.Get(language, "cp.btn.extend"), $"{P}ext:{Num(complaint.Number)}")]]);

    private InlineMarkup HandlerButtons(Language language, Complaint complaint) => complaint.Status == ComplaintStatus.Assigned
        ? new InlineMarkup([[
            new InlineButton(texts.Get(language, "cp.btn.accept"), $"{P}acc:{Num(complaint.Number)}"),
            new InlineButton(texts.Get(language, "cp.btn.return"), $"{P}ret:{Num(complaint.Number)}")]])
        : new InlineMarkup([[
            new InlineButton(texts.Get(language, "cp.btn.progress"), $"{P}note:{Num(complaint.Number)}"),
            new InlineButton(texts.Get(language, "cp.btn.resolve"), $"{P}res:{Num(complaint.Number)}")]]);
}
