using System.Globalization;
using System.Text;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Session;
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

    /// <summary>
    /// "File it as a complaint" under the main flow's answer to free text: the text the resident typed (kept in their
    /// conversation) becomes the description, so after the category the wizard goes on at the photos.
    /// </summary>
    private void BeginWithText(FlowContext ctx)
    {
        var text = ctx.Conversation.Flow == MainFlow.FlowName ? ctx.Conversation.Data.GetValueOrDefault(MainFlow.FreeTextKey)?.Trim() : null;
        if (text is not { Length: > 0 } || text.Length > MaxDescription)
        {
            ctx.AnswerButton(ctx.T("button.expired_hint"));
            return;
        }

        if (ctx.Profile.RegisteredAt is null)
        {
            ctx.AnswerButton();
            ctx.Reply(ctx.T("cp.f.register_first"), Menu(ctx));
            return;
        }

        ctx.AnswerButton();
        if (ctx.Event is ButtonPressed { MessageId: { } messageId })
        {
            ctx.Effects.EditMarkup(ctx.ChatId, messageId, null);
        }

        Move(ctx, ComplaintStep.Idle, ComplaintTrigger.Begin, new Dictionary<string, string> { ["text"] = text, ["pre"] = "1" });
        ctx.Reply(ctx.T("cp.f.text_taken", Html.Escape(text)) + "\n" + ctx.T("cp.f.ask_category"), CategoryButtons(ctx));
    }

    private static InlineMarkup CancelFiling(FlowContext ctx) => new([[CancelFilingButton(ctx)]]);

    private static InlineButton CancelFilingButton(FlowContext ctx) => new(ctx.T("button.cancel"), new ComplaintButton.CancelFiling().Encode());

    private InlineMarkup CategoryButtons(FlowContext ctx)
    {
        var rows = Enum.GetValues<ComplaintCategory>().Select(c => new InlineButton(Category(ctx.Language, c), new ComplaintButton.PickCategory(c).Encode())).Rows(2);
        rows.Add([CancelFilingButton(ctx)]);
        return new InlineMarkup(rows);
    }

    private static InlineMarkup PhotosButtons(FlowContext ctx, int count) => new([[
        new InlineButton(ctx.T(count == 0 ? "cp.btn.no_photo" : "cp.btn.photos_done"), new ComplaintButton.PhotosDone().Encode()),
        CancelFilingButton(ctx)]]);

    private static InlineMarkup LocationButtons(FlowContext ctx) => new([[
        new InlineButton(ctx.T("cp.btn.no_location"), new ComplaintButton.NoLocation().Encode()),
        CancelFilingButton(ctx)]]);

    private static InlineMarkup AnonymousButtons(FlowContext ctx) => new([
        [new InlineButton(ctx.T("cp.btn.named"), new ComplaintButton.ChooseAnonymous(false).Encode()), new InlineButton(ctx.T("cp.btn.anonymous"), new ComplaintButton.ChooseAnonymous(true).Encode())],
        [CancelFilingButton(ctx)]]);

    private static InlineMarkup ConfirmButtons(FlowContext ctx) => new([[
        new InlineButton(ctx.T("cp.btn.submit"), new ComplaintButton.Submit().Encode()),
        CancelFilingButton(ctx)]]);

    /// <summary>Input a filing step accepts (the conversation machine said so): the description, a photo, the location.</summary>
    private async ValueTask OnFilingInputAsync(FlowContext ctx, ComplaintStep step, ComplaintTrigger trigger, CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (ctx.Event)
        {
            case TextReceived text:
                var description = text.Text.Trim();
                if (description.Length == 0 || description.Length > MaxDescription)
                {
                    ctx.Reply(ctx.T("cp.f.description_length", MaxDescription, description.Length), CancelFiling(ctx));
                    return;
                }

                data["text"] = description;
                Move(ctx, step, trigger, data);
                ctx.Reply(ctx.T("cp.f.ask_photos", _options.MaxPhotos), PhotosButtons(ctx, 0));
                return;
            case PhotoReceived photo:
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
                // One acknowledgement per album (its photos arrive one by one, the same media group id on each).
                var answered = photo.MediaGroupId is { } album && data.GetValueOrDefault("album") == album;
                if (photo.MediaGroupId is { } mediaGroup)
                {
                    data["album"] = mediaGroup;
                }

                ctx.Conversation = ctx.Conversation with { Data = data, UpdatedAt = ctx.Now };
                if (!answered)
                {
                    ctx.Reply(
                        photo.MediaGroupId is null ? ctx.T("cp.f.photo_saved", photos.Count, _options.MaxPhotos) : ctx.T("cp.f.album_saved", _options.MaxPhotos),
                        PhotosButtons(ctx, photos.Count));
                }

                return;
            case LocationShared location:
                if (!Near(location.Latitude, location.Longitude))
                {
                    ctx.Reply(ctx.T("cp.f.location_far", _options.RadiusKm.ToString("0.#", CultureInfo.InvariantCulture)), LocationButtons(ctx));
                    return;
                }

                data["lat"] = location.Latitude.ToString("R", CultureInfo.InvariantCulture);
                data["lon"] = location.Longitude.ToString("R", CultureInfo.InvariantCulture);
                await AfterLocationAsync(ctx, step, trigger, data, edit: false, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The wizard's buttons, each a trigger of the conversation machine (a press the step does not accept is answered there).</summary>
    private async ValueTask OnFilingButtonAsync(FlowContext ctx, ComplaintStep step, ComplaintButton button, CancellationToken cancellationToken)
    {
        var trigger = button switch
        {
            ComplaintButton.PickCategory => ComplaintTrigger.PickCategory,
            ComplaintButton.PhotosDone => ComplaintTrigger.PhotosDone,
            ComplaintButton.NoLocation => ComplaintTrigger.NoLocation,
            ComplaintButton.ChooseAnonymous => ComplaintTrigger.ChooseAnonymous,
            ComplaintButton.JoinSimilar => ComplaintTrigger.Join,
            ComplaintButton.FileAnyway => ComplaintTrigger.FileNew,
            ComplaintButton.Submit => ComplaintTrigger.Submit,
            _ => ComplaintTrigger.CancelFiling,
        };
        if (!Accepts(ctx, step, trigger))
        {
            return;
        }

        var data = new Dictionary<string, string>(ctx.Conversation.Data);
        switch (button)
        {
            case ComplaintButton.PickCategory pick:
                ctx.AnswerButton();
                data["cat"] = pick.Category.ToString();
                Move(ctx, step, trigger, data);
                if (data.Remove("pre"))
                {
                    // The description was typed before filing began (free text): straight on to the photos.
                    Move(ctx, ComplaintStep.Description, ComplaintTrigger.Typed, data);
                    ctx.Show(ctx.T("cp.f.ask_photos", _options.MaxPhotos), PhotosButtons(ctx, 0));
                    return;
                }

                ctx.Show(ctx.T("cp.f.ask_description", Category(ctx.Language, pick.Category), MaxDescription), CancelFiling(ctx));
                return;
            case ComplaintButton.PhotosDone:
                ctx.AnswerButton();
                Move(ctx, step, trigger, data);
                ctx.Show(ctx.T("cp.f.ask_location"), LocationButtons(ctx));
                return;
            case ComplaintButton.NoLocation:
                ctx.AnswerButton();
                await AfterLocationAsync(ctx, step, trigger, data, edit: true, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.ChooseAnonymous choice:
                ctx.AnswerButton();
                data["anon"] = choice.Anonymous ? "1" : "0";
                await AfterAnonymousAsync(ctx, step, data, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.JoinSimilar join:
                await JoinAsync(ctx, join.Number, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.FileAnyway:
                ctx.AnswerButton();
                Move(ctx, step, trigger, data);
                await ShowPreviewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
                return;
            case ComplaintButton.Submit:
                await SubmitAsync(ctx, data, cancellationToken).ConfigureAwait(false);
                Move(ctx, step, trigger);
                return;
            default:
                ctx.AnswerButton();
                Move(ctx, step, trigger);
                ctx.Show(ctx.T("cp.f.cancelled"), null);
                return;
        }
    }

    /// <summary>After the location (or none): a hazard report goes straight to the preview, anything else asks about anonymity.</summary>
    private async ValueTask AfterLocationAsync(FlowContext ctx, ComplaintStep step, ComplaintTrigger trigger, Dictionary<string, string> data, bool edit, CancellationToken cancellationToken)
    {
        if (data.GetValueOrDefault("urgent") == "1")
        {
            // A hazard report is never anonymous (responders may need to call back) and skips the duplicate offer.
            data["anon"] = "0";
            Move(ctx, step, trigger, data);
            await ShowPreviewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
            return;
        }

        Move(ctx, step, trigger, data);
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
        Move(ctx, step, ComplaintTrigger.ChooseAnonymous, data, similar: similar.Count > 0);
        if (similar.Count == 0)
        {
            await ShowPreviewAsync(ctx, data, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Never another resident's words (nor who they are): the number, the category, the grid and how long ago.
        var directory = await DirectorySnapshot.LoadAsync(ctx.Reader, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(ctx.T("cp.f.similar_head")).Append('\n');
        foreach (var c in similar)
        {
            var days = (int)Math.Max(0, (ctx.Now - c.FiledAt).TotalDays);
            sb.Append("<b>").Append(c.Code).Append("</b> · ").Append(Category(ctx.Language, c.Category)).Append(" · ")
                .Append(Html.Escape(directory.GridName(c.GridId))).Append(" · ").Append(days == 0 ? ctx.T("cp.f.similar_today") : ctx.T("cp.f.similar_days", days)).Append('\n');
        }

        var rows = similar.Select(c => new InlineButton(ctx.T("cp.btn.join", c.Code), new ComplaintButton.JoinSimilar(c.Number).Encode())).Rows(2);
        rows.Add([new InlineButton(ctx.T("cp.btn.file_new"), new ComplaintButton.FileAnyway().Encode()), CancelFilingButton(ctx)]);
        ctx.Show(sb.ToString().TrimEnd(), new InlineMarkup(rows));
    }

    /// <summary>Joins an open complaint: the resident gets the same updates from now on; no new complaint is filed.</summary>
    private async ValueTask JoinAsync(FlowContext ctx, int number, CancellationToken cancellationToken)
    {
        if (number < 0)
        {
            ctx.AnswerButton(ctx.T("button.stale"));
            return;
        }

        var complaint = await ctx.Reader.GetAsync<Complaint>(DocKeys.Complaint(number), cancellationToken).ConfigureAwait(false);
        if (complaint is not null && complaint.GridId != ctx.Profile.GridId)
        {
            // Checked at the press: the resident's grid now (they may have moved since it was offered).
            ctx.AnswerButton(ctx.T("cp.f.join_other_grid", complaint.Code), alert: true);
            return;
        }

        if (complaint is not null && complaint.Category.ToString() != ctx.Conversation.Data.GetValueOrDefault("cat"))
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
        var joined = complaint.FiledBy != ctx.Profile.Id && !complaint.Followers.Contains(ctx.Profile.Id)
            ? (complaint with { Followers = [.. complaint.Followers, ctx.Profile.Id] }).With(new ComplaintEvent(ctx.Now, ctx.Profile.Id, "joined"))
            : complaint;
        if (joined != complaint)
        {
            ctx.Effects.AddToSet(Sets.ComplaintsOf(ctx.Profile.Id), Num(number));
        }

        // The pressed offer becomes the joiner's card: it follows the complaint's status from now on.
        var code = complaint.Code;
        await SaveAsync(ctx, complaint, joined, cancellationToken,
            [new NewCard(ctx.Profile, View.Resident, language => texts.Format(language, "cp.f.joined", code)) { PressedMessageId = (ctx.Event as ButtonPressed)?.MessageId }]).ConfigureAwait(false);
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

        ctx.Effects.AddToSet(Sets.Complaints, Num(number));
        await CommunityTally.ComplaintChangedAsync(ctx, null, complaint, _options.UtcOffset, null, cancellationToken).ConfigureAwait(false);
        ctx.Effects.AddToSet(Sets.OpenComplaints(complaint.GridId, complaint.Category), Num(number));
        ctx.Effects.AddToSet(Sets.ComplaintsOf(ctx.Profile.Id), Num(number));
        ArmDeadlines(ctx, complaint);
        ctx.AnswerButton();
        ctx.Show(ctx.T("cp.f.filed", complaint.Code, Time(complaint.RespondBy)), null);

        var handler = await ProfileAsync(ctx, handlerId, cancellationToken).ConfigureAwait(false);
        var cards = await AdminCardsAsync(ctx, language => texts.Get(language, "cp.new_for_admin"), cancellationToken).ConfigureAwait(false);
        if (handler is not null)
        {
            cards.Add(new NewCard(handler, View.Handler, language => texts.Get(language, "cp.new_for_handler")));
        }

        await SaveAsync(ctx, complaint, complaint, cancellationToken, cards).ConfigureAwait(false);

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
        new InlineButton(texts.Get(language, complaint.HandlerId is null ? "cp.btn.assign" : "cp.btn.reassign"), new ComplaintButton.AssignList(complaint.Number).Encode()),
        new InlineButton(texts.Get(language, "cp.btn.extend"), new ComplaintButton.ExtendChoices(complaint.Number).Encode())]]);

    /// <summary>The handler's buttons of the status: accept or return it, then progress and the result; none once resolved.</summary>
    private InlineMarkup? HandlerButtons(Language language, Complaint complaint) => complaint.Status switch
    {
        ComplaintStatus.Assigned => new InlineMarkup([[
            new InlineButton(texts.Get(language, "cp.btn.accept"), new ComplaintButton.Accept(complaint.Number).Encode()),
            new InlineButton(texts.Get(language, "cp.btn.return"), new ComplaintButton.GiveBack(complaint.Number).Encode())]]),
        ComplaintStatus.InProgress or ComplaintStatus.Supervised => new InlineMarkup([[
            new InlineButton(texts.Get(language, "cp.btn.progress"), new ComplaintButton.Progress(complaint.Number).Encode()),
            new InlineButton(texts.Get(language, "cp.btn.resolve"), new ComplaintButton.Resolve(complaint.Number).Encode())]]),
        _ => null,
    };
}
