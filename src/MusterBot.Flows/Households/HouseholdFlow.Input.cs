using System.Globalization;
using MusterBot.Flows.Events;
using MusterBot.Flows.Musters;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

public sealed partial class HouseholdFlow
{
    /// <summary>Validated household rows waiting for confirmation (kept one hour).</summary>
    public sealed record PendingHouseholdImport(IReadOnlyList<HouseholdRow> Rows);

    private sealed partial class Session
    {
        private async Task<HouseholdStep> TypedAsync(string text, HouseholdStep step)
        {
            switch (step)
            {
                case HouseholdStep.AwaitingAddress:
                    return await NewHouseholdAsync(text).ConfigureAwait(false);
                case HouseholdStep.AwaitingCustomTag:
                    return await NewCustomTagAsync(text).ConfigureAwait(false);
                default:
                    return await FieldAsync(text).ConfigureAwait(false);
            }
        }

        private async Task<HouseholdStep> NewHouseholdAsync(string text)
        {
            var gridId = data.GetValueOrDefault("grid");
            var buildingId = data.GetValueOrDefault("building");
            if (!Serves(gridId) || directory.Grid(gridId)!.Buildings.All(b => b.Id != buildingId))
            {
                // The grid worker moved to another grid, or the building is gone, while the question was open.
                ctx.Reply(ctx.T("hh.gone"));
                return HouseholdStep.Idle;
            }

            if (!HouseholdFields.TryParseAddress(text, out var unit, out var room))
            {
                ctx.Reply(ctx.T("hh.bad.address", HouseholdFields.MaxUnitLength, HouseholdFields.MaxRoomLength), CancelKeyboard());
                return HouseholdStep.AwaitingAddress;
            }

            var key = HouseholdFields.AddressKey(buildingId!, unit, room);
            if ((await GridHouseholdsAsync(gridId!).ConfigureAwait(false)).FirstOrDefault(h => HouseholdFields.AddressKey(h) == key) is { } existing)
            {
                ctx.Reply(
                    ctx.T("hh.bad.address_taken", HouseholdView.Number(existing.Number), Html.Escape(HouseholdView.Address(existing, directory))),
                    new InlineMarkup([[Button("hh.button.open", new HouseholdButton.Open(existing.Number))]]));
                return HouseholdStep.Idle;
            }

            var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
            var number = counters.Households + 1;
            ctx.Effects.Put(DocKeys.Counters, counters with { Households = number });
            ctx.Effects.AddToSet(Sets.HouseholdsInGrid(gridId!), number.ToString(CultureInfo.InvariantCulture));
            var household = Save(new Household(number, gridId!, buildingId!, room) { Unit = unit, CreatedAt = ctx.Now });
            ctx.Reply(ctx.T("hh.added", HouseholdView.Number(number)));
            ShowCard(household, edit: false);
            return HouseholdStep.Idle;
        }

        private async Task<HouseholdStep> FieldAsync(string text)
        {
            if (!int.TryParse(data.GetValueOrDefault("number"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || !Enum.TryParse<HouseholdField>(data.GetValueOrDefault("field"), out var field)
                || await LoadAsync(number).ConfigureAwait(false) is not { } household
                || !Serves(household.GridId))
            {
                // Deleted, or no longer the person's grid, while the question was open.
                ctx.Reply(ctx.T("hh.gone"));
                return HouseholdStep.Idle;
            }

            var again = new InlineMarkup([[Button("reg.button.cancel", new HouseholdButton.Open(household.Number))]]);
            Household changed;
            switch (field)
            {
                case HouseholdField.People:
                    if (!HouseholdFields.TryParsePeople(text, out var people, out var tooLong))
                    {
                        ctx.Reply(tooLong is null ? ctx.T("hh.bad.too_many_people", HouseholdFields.MaxPeople) : ctx.T("hh.bad.person", Html.Escape(tooLong), HouseholdFields.MaxPersonLength), again);
                        return HouseholdStep.AwaitingField;
                    }

                    changed = household with { People = people };
                    break;
                case HouseholdField.Phones:
                    var bad = new List<string>();
                    var phones = HouseholdFields.ParsePhones(text, bad);
                    if (bad.Count > 0 || phones.Count == 0)
                    {
                        ctx.Reply(ctx.T("hh.bad.phone", Html.Escape(bad.Count > 0 ? bad[0] : text)), again);
                        return HouseholdStep.AwaitingField;
                    }

                    if (phones.Count > HouseholdFields.MaxPhones)
                    {
                        ctx.Reply(ctx.T("hh.bad.too_many_phones", HouseholdFields.MaxPhones), again);
                        return HouseholdStep.AwaitingField;
                    }

                    changed = household with { Phones = phones };
                    break;
                case HouseholdField.Notes:
                    if (!HouseholdFields.TryParseNotes(text, out var notes))
                    {
                        ctx.Reply(ctx.T("hh.bad.notes", HouseholdFields.MaxNotesLength), again);
                        return HouseholdStep.AwaitingField;
                    }

                    changed = household with { Notes = notes };
                    break;
                default:
                    if (!HouseholdFields.TryParseAddress(text, out var unit, out var room))
                    {
                        ctx.Reply(ctx.T("hh.bad.address", HouseholdFields.MaxUnitLength, HouseholdFields.MaxRoomLength), again);
                        return HouseholdStep.AwaitingField;
                    }

                    var key = HouseholdFields.AddressKey(household.BuildingId, unit, room);
                    if ((await GridHouseholdsAsync(household.GridId).ConfigureAwait(false)).FirstOrDefault(h => h.Number != household.Number && HouseholdFields.AddressKey(h) == key) is { } other)
                    {
                        ctx.Reply(ctx.T("hh.bad.address_taken", HouseholdView.Number(other.Number), Html.Escape(HouseholdView.Address(other, directory))), again);
                        return HouseholdStep.AwaitingField;
                    }

                    changed = household with { Unit = unit, Room = room };
                    break;
            }

            ctx.Reply(ctx.T("hh.saved"));
            ShowCard(Save(changed), edit: false);
            return HouseholdStep.Idle;
        }

        private async Task<HouseholdStep> NewCustomTagAsync(string text)
        {
            if (!ctx.Has(Roles.Admin))
            {
                ctx.Reply(ctx.T("not_allowed", ctx.T("role.admin")));
                return HouseholdStep.Idle;
            }

            var name = HouseholdFields.OneLine(text);
            var list = await CustomTagsAsync().ConfigureAwait(false);
            if (!HouseholdFields.IsValidCustomTag(name))
            {
                ctx.Reply(ctx.T("hh.bad.custom_tag", HouseholdFields.MaxCustomTagLength), CancelKeyboard());
                return HouseholdStep.AwaitingCustomTag;
            }

            if (HouseholdFields.TryParseTag(name, ctx.Texts, out _) || list.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                ctx.Reply(ctx.T("hh.bad.custom_tag_taken", Html.Escape(name)), CancelKeyboard());
                return HouseholdStep.AwaitingCustomTag;
            }

            if (list.Count >= HouseholdFields.MaxCustomTags)
            {
                ctx.Reply(ctx.T("hh.ct.full", HouseholdFields.MaxCustomTags));
                return HouseholdStep.Idle;
            }

            var names = list.Append(name).ToList();
            ctx.Effects.Put(DocKeys.HouseholdTags, new HouseholdTagList { Names = names });
            ctx.Reply(ctx.T("hh.ct.added", Html.Escape(name)));
            var (view, markup) = CustomTagsView(names);
            ctx.Reply(view, markup);
            return HouseholdStep.Idle;
        }

        private async Task<HouseholdStep> ExportAsync(string? gridId, HouseholdStep step)
        {
            if (gridId is null ? !ctx.Has(Roles.Admin) : !Serves(gridId))
            {
                ctx.AnswerButton(ctx.T("hh.not_your_grid"), alert: true);
                return step;
            }

            var households = new List<Household>();
            foreach (var grid in gridId is null ? grids : grids.Where(g => g.Id == gridId))
            {
                households.AddRange(await GridHouseholdsAsync(grid.Id).ConfigureAwait(false));
            }

            var name = gridId is null ? "households.csv" : "households-" + gridId + ".csv";
            var caption = ctx.T("hh.export.caption", gridId is null ? ctx.T("hh.import.any_grid") : Html.Escape(directory.GridName(gridId)), households.Count);
            ctx.AnswerButton(ctx.T("hh.export.sending"));
            ctx.Effects.Publish(new OutboxMessage(Lane.Reply, ctx.ChatId, new SendDocument(name, HouseholdCsv.Export(households, directory, ctx.Language, ctx.Texts, offset), caption) { ContentType = MusterFlow.CsvContentType }));
            return step;
        }

        private async Task FileAsync(DocumentReceived document)
        {
            var gridId = data.GetValueOrDefault("grid");
            var scope = string.IsNullOrEmpty(gridId) ? null : gridId;
            if (scope is null ? !ctx.Has(Roles.Admin) : !Serves(scope))
            {
                ctx.Reply(ctx.T("hh.not_your_grid"));
                return;
            }

            // Only here — someone who serves the grid, in the import step — is the document downloaded.
            if (ctx.RequestDocumentContent())
            {
                return;
            }

            if (document.Content is null && document.FileSize is not > DocumentReceived.MaxDownloadBytes)
            {
                ctx.Reply(ctx.T("admin.roster.unreadable"));
                return;
            }

            var custom = await CustomTagsAsync().ConfigureAwait(false);
            var result = document.Content is null
                ? HouseholdCsv.Parse(new byte[HouseholdCsv.MaxBytes + 1], directory.Grids, [], scope, custom, ctx.Texts)
                : HouseholdCsv.Parse(document.Content, directory.Grids, grids.Select(g => g.Id).ToList(), scope, custom, ctx.Texts);
            var report = HouseholdCsv.Report(result, ctx.Language, ctx.Texts);
            if (result.FileProblem is not null || result.Valid.Count == 0)
            {
                ctx.Reply(report + "\n\n" + ctx.T("hh.import.nothing"));
                return;
            }

            ctx.Effects.Put(DocKeys.HouseholdImport(ctx.Event.UserId), new PendingHouseholdImport(result.Valid), PendingImportLifetime);
            var confirm = result.Problems.Count == 0
                ? ctx.T("hh.import.all", result.Valid.Count)
                : ctx.T("hh.import.valid", result.Valid.Count);
            ctx.Reply(report, new InlineMarkup([[new InlineButton(confirm, B(new HouseholdButton.ConfirmImport()))], [Button("reg.button.cancel", new HouseholdButton.DropImport())]]));
        }

        /// <summary>
        /// Applies a confirmed import: a row whose address is already a household of the grid replaces that household's
        /// people, tags, phones and notes (its number stays); any other row becomes a new household. The grids are checked
        /// again, since the person's grid or role may have changed since the file was read.
        /// </summary>
        private async Task ImportAsync()
        {
            var pending = await ctx.Reader.GetAsync<PendingHouseholdImport>(DocKeys.HouseholdImport(ctx.Event.UserId), cancellationToken).ConfigureAwait(false);
            if (pending is null)
            {
                ctx.AnswerButton(ctx.T("hh.import.expired"), alert: true);
                return;
            }

            var rows = pending.Rows.Where(r => Serves(r.GridId) && directory.Grid(r.GridId)!.Buildings.Any(b => b.Id == r.BuildingId)).ToList();
            var skipped = pending.Rows.Count - rows.Count;
            var counters = await ctx.Reader.GetAsync<CommunityCounters>(DocKeys.Counters, cancellationToken).ConfigureAwait(false) ?? new CommunityCounters();
            var number = counters.Households;
            int added = 0, updated = 0;
            foreach (var gridRows in rows.GroupBy(r => r.GridId))
            {
                var existing = (await GridHouseholdsAsync(gridRows.Key).ConfigureAwait(false)).ToDictionary(HouseholdFields.AddressKey, StringComparer.Ordinal);
                foreach (var row in gridRows)
                {
                    var key = HouseholdFields.AddressKey(row.BuildingId, row.Unit, row.Room);
                    Household household;
                    if (existing.TryGetValue(key, out var before))
                    {
                        household = before with { Unit = row.Unit, Room = row.Room };
                        updated++;
                    }
                    else
                    {
                        household = new Household(++number, row.GridId, row.BuildingId, row.Room) { Unit = row.Unit, CreatedAt = ctx.Now };
                        ctx.Effects.AddToSet(Sets.HouseholdsInGrid(row.GridId), household.Number.ToString(CultureInfo.InvariantCulture));
                        added++;
                    }

                    Save(household with { People = row.People, Tags = row.Tags, CustomTags = row.CustomTags, Phones = row.Phones, Notes = row.Notes });
                }
            }

            if (number != counters.Households)
            {
                ctx.Effects.Put(DocKeys.Counters, counters with { Households = number });
            }

            ctx.Effects.Delete(DocKeys.HouseholdImport(ctx.Event.UserId));
            ctx.AnswerButton();
            if (ctx.Event is ButtonPressed { MessageId: { } id })
            {
                ctx.Effects.EditMarkup(ctx.ChatId, id, null);
            }

            var text = ctx.T("hh.import.done", added, updated);
            if (skipped > 0)
            {
                text += "\n" + ctx.T("hh.import.skipped", skipped);
            }

            ctx.Reply(text, new InlineMarkup([[Back(new HouseholdButton.Home())]]));
        }
    }
}
