using System.Globalization;
using MusterBot.Flows.Directory;
using MusterBot.Flows.Events;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Texts;
using MusterBot.State.Outbox;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Households;

namespace MusterBot.Flows.Households;

public sealed partial class HouseholdFlow
{
    /// <summary>One decision of /households: what the person may see, and the actions on it.</summary>
    private sealed partial class Session(FlowContext ctx, DirectorySnapshot directory, IReadOnlyList<Grid> grids, Dictionary<string, string> data, TimeSpan offset, CancellationToken cancellationToken)
    {
        private bool Serves(string? gridId) => gridId is not null && grids.Any(g => g.Id == gridId);

        private static string B(HouseholdButton button) => HouseholdButton.Codec.Encode(button);

        private InlineButton Button(string key, HouseholdButton button) => new(ctx.T(key), B(button));

        private InlineButton Back(HouseholdButton to) => Button("hh.button.back", to);

        public async Task<HouseholdStep> DecideAsync(HouseholdButton? button, HouseholdStep step)
        {
            switch (ctx.Event)
            {
                case CommandReceived:
                    await HomeAsync().ConfigureAwait(false);
                    return HouseholdStep.Idle;
                case TextReceived text:
                    return await TypedAsync(text.Text.Trim(), step).ConfigureAwait(false);
                case DocumentReceived document:
                    await FileAsync(document).ConfigureAwait(false);
                    return HouseholdStep.Idle;
                default:
                    return await PressAsync(button!, step).ConfigureAwait(false);
            }
        }

        private async Task<HouseholdStep> PressAsync(HouseholdButton button, HouseholdStep step)
        {
            HouseholdStep NotYours()
            {
                ctx.AnswerButton(ctx.T("hh.not_your_grid"), alert: true);
                return step;
            }

            HouseholdStep Gone()
            {
                ctx.AnswerButton(ctx.T("hh.gone"), alert: true);
                return step;
            }

            switch (button)
            {
                case HouseholdButton.Home:
                    await HomeAsync().ConfigureAwait(false);
                    return step;
                case HouseholdButton.Cancel:
                    ctx.AnswerButton();
                    ctx.Show(ctx.T("cancel.done"), null);
                    await HomeAsync(edit: false).ConfigureAwait(false);
                    return HouseholdStep.Idle;
                case HouseholdButton.OpenGrid open:
                    if (!Serves(open.GridId))
                    {
                        return NotYours();
                    }

                    await GridAsync(open.GridId).ConfigureAwait(false);
                    return step;
                case HouseholdButton.List list:
                    if (!Serves(list.GridId))
                    {
                        return NotYours();
                    }

                    await ListAsync(list).ConfigureAwait(false);
                    return step;
                case HouseholdButton.Filter filter:
                    if (!Serves(filter.GridId))
                    {
                        return NotYours();
                    }

                    await FilterAsync(filter.GridId).ConfigureAwait(false);
                    return step;
                case HouseholdButton.Add add:
                    if (!Serves(add.GridId))
                    {
                        return NotYours();
                    }

                    ShowBuildings(add.GridId);
                    return step;
                case HouseholdButton.AddIn addIn:
                    if (!Serves(addIn.GridId))
                    {
                        return NotYours();
                    }

                    if (directory.Grid(addIn.GridId)!.Buildings.All(b => b.Id != addIn.BuildingId))
                    {
                        return Gone();
                    }

                    data.Clear();
                    data["grid"] = addIn.GridId;
                    data["building"] = addIn.BuildingId;
                    ctx.Show(ctx.T("hh.ask.new_address", Html.Escape(directory.BuildingName(addIn.GridId, addIn.BuildingId))), CancelKeyboard());
                    return HouseholdStep.AwaitingAddress;
                case HouseholdButton.Open open:
                {
                    if (await LoadAsync(open.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    ShowCard(household);
                    return step;
                }

                case HouseholdButton.EditTags tags:
                {
                    if (await LoadAsync(tags.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    await ShowTagsAsync(household).ConfigureAwait(false);
                    return step;
                }

                case HouseholdButton.ToggleTag toggle:
                {
                    if (await LoadAsync(toggle.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    var tags = household.Tags.Contains(toggle.Tag) ? household.Tags.Where(t => t != toggle.Tag).ToList() : [.. household.Tags, toggle.Tag];
                    var changed = Save(household with { Tags = [.. Enum.GetValues<HouseholdTag>().Where(tags.Contains)] });
                    await ShowTagsAsync(changed).ConfigureAwait(false);
                    return step;
                }

                case HouseholdButton.ToggleCustomTag toggle:
                {
                    if (await LoadAsync(toggle.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    var list = await CustomTagsAsync().ConfigureAwait(false);
                    if (toggle.Index < 0 || toggle.Index >= list.Count || list[toggle.Index] != toggle.Name)
                    {
                        return Gone();
                    }

                    var name = list[toggle.Index];
                    var custom = household.CustomTags.Contains(name) ? household.CustomTags.Where(t => t != name).ToList() : [.. household.CustomTags, name];
                    var changed = Save(household with { CustomTags = custom });
                    await ShowTagsAsync(changed).ConfigureAwait(false);
                    return step;
                }

                case HouseholdButton.Edit edit:
                {
                    if (await LoadAsync(edit.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    data.Clear();
                    data["number"] = household.Number.ToString(CultureInfo.InvariantCulture);
                    data["field"] = edit.Field.ToString();
                    var rows = new List<IReadOnlyList<InlineButton>>();
                    if (edit.Field != HouseholdField.Address)
                    {
                        rows.Add([Button("hh.button.clear", new HouseholdButton.Clear(household.Number, edit.Field))]);
                    }

                    rows.Add([Button("reg.button.cancel", new HouseholdButton.Open(household.Number))]);
                    ctx.Show(ctx.T("hh.ask." + edit.Field.ToString().ToLowerInvariant(), HouseholdView.Number(household.Number), Html.Escape(HouseholdView.Address(household, directory))), new InlineMarkup(rows));
                    return HouseholdStep.AwaitingField;
                }

                case HouseholdButton.Clear clear:
                {
                    if (await LoadAsync(clear.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    var cleared = clear.Field switch
                    {
                        HouseholdField.People => household with { People = [] },
                        HouseholdField.Phones => household with { Phones = [] },
                        HouseholdField.Notes => household with { Notes = null },
                        _ => household,
                    };
                    ShowCard(cleared == household ? household : Save(cleared));
                    return HouseholdStep.Idle;
                }

                case HouseholdButton.Delete delete:
                {
                    if (await LoadAsync(delete.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    ctx.Show(
                        ctx.T("hh.delete.confirm", HouseholdView.Number(household.Number), Html.Escape(HouseholdView.Address(household, directory))),
                        new InlineMarkup([[Button("hh.button.delete_yes", new HouseholdButton.ConfirmDelete(household.Number)), Button("reg.button.cancel", new HouseholdButton.Open(household.Number))]]));
                    return step;
                }

                case HouseholdButton.ConfirmDelete delete:
                {
                    if (await LoadAsync(delete.Number).ConfigureAwait(false) is not { } household)
                    {
                        return Gone();
                    }

                    if (!Serves(household.GridId))
                    {
                        return NotYours();
                    }

                    ctx.Effects.Delete(DocKeys.Household(household.Number));
                    ctx.Effects.RemoveFromSet(Sets.HouseholdsInGrid(household.GridId), household.Number.ToString(CultureInfo.InvariantCulture));
                    ctx.Show(
                        ctx.T("hh.delete.done", HouseholdView.Number(household.Number), Html.Escape(HouseholdView.Address(household, directory))),
                        new InlineMarkup([[Back(new HouseholdButton.OpenGrid(household.GridId))]]));
                    return HouseholdStep.Idle;
                }

                case HouseholdButton.Export export:
                    return await ExportAsync(export.GridId, step).ConfigureAwait(false);
                case HouseholdButton.Import import:
                    if (import.GridId is null ? !ctx.Has(Roles.Admin) : !Serves(import.GridId))
                    {
                        return NotYours();
                    }

                    data.Clear();
                    data["grid"] = import.GridId ?? string.Empty;
                    ctx.Show(ctx.T("hh.import.ask", string.Join(",", HouseholdCsv.Columns), import.GridId is null ? ctx.T("hh.import.any_grid") : Html.Escape(directory.GridName(import.GridId))), CancelKeyboard());
                    return HouseholdStep.AwaitingFile;
                case HouseholdButton.ConfirmImport:
                    await ImportAsync().ConfigureAwait(false);
                    return HouseholdStep.Idle;
                case HouseholdButton.DropImport:
                    ctx.Effects.Delete(DocKeys.HouseholdImport(ctx.Event.UserId));
                    ctx.Show(ctx.T("hh.import.dropped"), new InlineMarkup([[Back(new HouseholdButton.Home())]]));
                    return HouseholdStep.Idle;
                case HouseholdButton.CustomTags:
                    if (!ctx.Has(Roles.Admin))
                    {
                        ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
                        return step;
                    }

                    await ShowCustomTagsAsync().ConfigureAwait(false);
                    return step;
                case HouseholdButton.NewCustomTag:
                    if (!ctx.Has(Roles.Admin))
                    {
                        ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
                        return step;
                    }

                    if ((await CustomTagsAsync().ConfigureAwait(false)).Count >= HouseholdFields.MaxCustomTags)
                    {
                        ctx.AnswerButton(ctx.T("hh.ct.full", HouseholdFields.MaxCustomTags), alert: true);
                        return step;
                    }

                    data.Clear();
                    ctx.Show(ctx.T("hh.ask.custom_tag", HouseholdFields.MaxCustomTagLength), CancelKeyboard());
                    return HouseholdStep.AwaitingCustomTag;
                case HouseholdButton.RemoveCustomTag remove:
                {
                    if (!ctx.Has(Roles.Admin))
                    {
                        ctx.AnswerButton(ctx.T("not_allowed", ctx.T("role.admin")), alert: true);
                        return step;
                    }

                    var list = await CustomTagsAsync().ConfigureAwait(false);
                    if (remove.Index < 0 || remove.Index >= list.Count || list[remove.Index] != remove.Name)
                    {
                        ctx.AnswerButton(ctx.T("hh.ct.gone"), alert: true);
                        return step;
                    }

                    // The tag goes from every household too: a removed tag must not keep a household "tagged" for a
                    // welfare check, nor be written into an export that would then not import.
                    foreach (var grid in directory.Grids)
                    {
                        foreach (var household in (await GridHouseholdsAsync(grid.Id).ConfigureAwait(false)).Where(h => h.CustomTags.Contains(remove.Name)))
                        {
                            Save(household with { CustomTags = [.. household.CustomTags.Where(t => t != remove.Name)] });
                        }
                    }

                    ctx.Effects.Put(DocKeys.HouseholdTags, new HouseholdTagList { Names = [.. list.Where((_, i) => i != remove.Index)] });
                    ShowCustomTags([.. list.Where((_, i) => i != remove.Index)]);
                    return step;
                }

                default:
                    ctx.AnswerButton(ctx.T("button.stale"));
                    return step;
            }
        }

        /// <summary>An administrator's grids with their household counts, or a grid worker's own grid.</summary>
        private async Task HomeAsync(bool edit = true)
        {
            if (grids.Count == 1 && !ctx.Has(Roles.Admin))
            {
                await GridAsync(grids[0].Id, edit).ConfigureAwait(false);
                return;
            }

            var lines = new List<string> { ctx.T("hh.home.title") };
            var rows = new List<IReadOnlyList<InlineButton>>();
            foreach (var grid in grids)
            {
                var count = await ctx.Reader.CountAsync(Sets.HouseholdsInGrid(grid.Id), cancellationToken).ConfigureAwait(false);
                lines.Add(ctx.T("hh.home.grid", Html.Escape(grid.Name), count));
                rows.Add([new InlineButton(ctx.T("hh.button.grid", grid.Name, count), B(new HouseholdButton.OpenGrid(grid.Id)))]);
            }

            rows.Add([Button("hh.button.export_all", new HouseholdButton.Export(null)), Button("hh.button.import", new HouseholdButton.Import(null))]);
            rows.Add([Button("hh.button.custom_tags", new HouseholdButton.CustomTags())]);
            Show(string.Join("\n", lines), new InlineMarkup(rows), edit);
        }

        private void Show(string html, InlineMarkup markup, bool edit)
        {
            if (edit)
            {
                ctx.Show(html, markup);
            }
            else
            {
                ctx.Reply(html, markup);
            }
        }

        /// <summary>A grid's summary: households, tagged ones, and the count of each tag.</summary>
        private async Task GridAsync(string gridId, bool edit = true)
        {
            var households = await GridHouseholdsAsync(gridId).ConfigureAwait(false);
            var grid = directory.Grid(gridId)!;
            var lines = new List<string> { ctx.T("hh.grid.title", Html.Escape(grid.Name), households.Count, households.Count(h => h.IsTagged)) };
            foreach (var tag in Enum.GetValues<HouseholdTag>())
            {
                var n = households.Count(h => h.Tags.Contains(tag));
                if (n > 0)
                {
                    lines.Add(ctx.T("hh.grid.tag", ctx.T(HouseholdFields.TagKey(tag)), n));
                }
            }

            foreach (var name in households.SelectMany(h => h.CustomTags).Distinct(StringComparer.Ordinal))
            {
                lines.Add(ctx.T("hh.grid.tag", Html.Escape(name), households.Count(h => h.CustomTags.Contains(name))));
            }

            if (grid.Buildings.Count == 0)
            {
                lines.Add(ctx.T("hh.grid.no_buildings"));
            }

            var rows = new List<IReadOnlyList<InlineButton>>
            {
                new[] { Button("hh.button.list", new HouseholdButton.List(gridId, null, null, 0)), Button("hh.button.filter", new HouseholdButton.Filter(gridId)) },
                new[] { Button("hh.button.add", new HouseholdButton.Add(gridId)) },
                new[] { Button("hh.button.export", new HouseholdButton.Export(gridId)), Button("hh.button.import", new HouseholdButton.Import(gridId)) },
            };
            if (ctx.Has(Roles.Admin))
            {
                rows.Add([Back(new HouseholdButton.Home())]);
            }

            Show(string.Join("\n", lines), new InlineMarkup(rows), edit);
        }

        private async Task ListAsync(HouseholdButton.List list)
        {
            var custom = await CustomTagsAsync().ConfigureAwait(false);
            var all = await GridHouseholdsAsync(list.GridId).ConfigureAwait(false);
            Func<Household, bool> keep = _ => true;
            var filterName = string.Empty;
            if (list.BuildingId is { } building)
            {
                keep = h => h.BuildingId == building;
                filterName = directory.BuildingName(list.GridId, building);
            }
            else if (list.Tag is { } tagName)
            {
                if (Enum.TryParse<HouseholdTag>(tagName, out var tag) && Enum.IsDefined(tag))
                {
                    keep = h => h.Tags.Contains(tag);
                    filterName = ctx.T(HouseholdFields.TagKey(tag));
                }
                else if (tagName.StartsWith('c') && int.TryParse(tagName.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < custom.Count)
                {
                    keep = h => h.CustomTags.Contains(custom[index]);
                    filterName = custom[index];
                }
            }

            var shown = all.Where(keep).ToList();
            var pages = Math.Max(1, (shown.Count + PageSize - 1) / PageSize);
            var page = Math.Clamp(list.Page, 0, pages - 1);
            var title = filterName.Length == 0
                ? ctx.T("hh.list.title", Html.Escape(directory.GridName(list.GridId)), shown.Count)
                : ctx.T("hh.list.title_filtered", Html.Escape(directory.GridName(list.GridId)), Html.Escape(filterName), shown.Count);
            var lines = new List<string> { title };
            var rows = new List<IReadOnlyList<InlineButton>>();
            foreach (var h in shown.Skip(page * PageSize).Take(PageSize))
            {
                lines.Add(HouseholdView.Number(h.Number) + " " + HouseholdView.Line(h, directory, ctx.Language, ctx.Texts));
                rows.Add([new InlineButton(HouseholdView.Number(h.Number) + " " + HouseholdView.Address(h, directory), B(new HouseholdButton.Open(h.Number)))]);
            }

            if (shown.Count == 0)
            {
                lines.Add(ctx.T("hh.list.empty"));
            }

            var nav = new List<InlineButton>();
            if (page > 0)
            {
                nav.Add(Button("hh.button.prev", list with { Page = page - 1 }));
            }

            if (page < pages - 1)
            {
                nav.Add(Button("hh.button.next", list with { Page = page + 1 }));
            }

            if (nav.Count > 0)
            {
                rows.Add(nav);
                lines.Add(ctx.T("hh.list.page", page + 1, pages));
            }

            rows.Add([Back(new HouseholdButton.OpenGrid(list.GridId))]);
            ctx.Show(string.Join("\n", lines), new InlineMarkup(rows));
        }

        private async Task FilterAsync(string gridId)
        {
            var grid = directory.Grid(gridId)!;
            var custom = await CustomTagsAsync().ConfigureAwait(false);
            var rows = grid.Buildings.Select(b => new InlineButton("\U0001F3E0 " + b.Name, B(new HouseholdButton.List(gridId, b.Id, null, 0)))).Rows(3);
            rows.AddRange(Enum.GetValues<HouseholdTag>().Select(t => new InlineButton(ctx.T(HouseholdFields.TagKey(t)), B(new HouseholdButton.List(gridId, null, t.ToString(), 0)))).Rows(3));
            rows.AddRange(custom.Select((name, i) => new InlineButton(name, B(new HouseholdButton.List(gridId, null, "c" + i.ToString(CultureInfo.InvariantCulture), 0)))).Rows(3));
            rows.Add([Back(new HouseholdButton.OpenGrid(gridId))]);
            ctx.Show(ctx.T("hh.filter.title", Html.Escape(grid.Name)), new InlineMarkup(rows));
        }

        private void ShowBuildings(string gridId)
        {
            var grid = directory.Grid(gridId)!;
            if (grid.Buildings.Count == 0)
            {
                ctx.AnswerButton(ctx.T("hh.grid.no_buildings"), alert: true);
                return;
            }

            var rows = grid.Buildings.Select(b => new InlineButton(b.Name, B(new HouseholdButton.AddIn(gridId, b.Id)))).Rows(3);
            rows.Add([Back(new HouseholdButton.OpenGrid(gridId))]);
            ctx.Show(ctx.T("hh.ask.building", Html.Escape(grid.Name)), new InlineMarkup(rows));
        }

        private void ShowCard(Household household, bool edit = true)
        {
            var rows = new List<IReadOnlyList<InlineButton>>
            {
                new[] { Button("hh.button.tags", new HouseholdButton.EditTags(household.Number)), Button("hh.button.people", new HouseholdButton.Edit(household.Number, HouseholdField.People)) },
                new[] { Button("hh.button.phones", new HouseholdButton.Edit(household.Number, HouseholdField.Phones)), Button("hh.button.notes", new HouseholdButton.Edit(household.Number, HouseholdField.Notes)) },
                new[] { Button("hh.button.address", new HouseholdButton.Edit(household.Number, HouseholdField.Address)), Button("hh.button.delete", new HouseholdButton.Delete(household.Number)) },
                new[] { Back(new HouseholdButton.List(household.GridId, null, null, 0)) },
            };
            Show(HouseholdView.Card(household, directory, ctx.Language, ctx.Texts, offset), new InlineMarkup(rows), edit);
        }

        private async Task ShowTagsAsync(Household household)
        {
            var custom = await CustomTagsAsync().ConfigureAwait(false);
            string Mark(bool on, string name) => (on ? "\u2705 " : string.Empty) + name;
            var rows = Enum.GetValues<HouseholdTag>()
                .Select(t => new InlineButton(Mark(household.Tags.Contains(t), ctx.T(HouseholdFields.TagKey(t))), B(new HouseholdButton.ToggleTag(household.Number, t)))).Rows(2);
            rows.AddRange(custom.Select((name, i) => new InlineButton(Mark(household.CustomTags.Contains(name), name), B(new HouseholdButton.ToggleCustomTag(household.Number, i, name)))).Rows(2));
            rows.Add([Button("hh.button.done", new HouseholdButton.Open(household.Number))]);
            ctx.Show(ctx.T("hh.tags.title", HouseholdView.Number(household.Number), Html.Escape(HouseholdView.Address(household, directory))), new InlineMarkup(rows));
        }

        private async Task ShowCustomTagsAsync() => ShowCustomTags(await CustomTagsAsync().ConfigureAwait(false));

        private void ShowCustomTags(IReadOnlyList<string> list)
        {
            var (text, markup) = CustomTagsView(list);
            ctx.Show(text, markup);
        }

        /// <summary>The community's own tags, each with a button that removes it.</summary>
        private (string Text, InlineMarkup Markup) CustomTagsView(IReadOnlyList<string> list)
        {
            var rows = list.Select((name, i) => new InlineButton("\u2716 " + name, B(new HouseholdButton.RemoveCustomTag(i, name)))).Rows(2);
            rows.Add([Button("hh.button.new_tag", new HouseholdButton.NewCustomTag()), Back(new HouseholdButton.Home())]);
            var text = list.Count == 0 ? ctx.T("hh.ct.none") : ctx.T("hh.ct.title", Html.Escape(string.Join(ctx.T("hh.tag_separator"), list)));
            return (text, new InlineMarkup(rows));
        }

        private InlineMarkup CancelKeyboard() => new([[Button("reg.button.cancel", new HouseholdButton.Cancel())]]);

        private async Task<Household?> LoadAsync(int number) =>
            number <= 0 ? null : await ctx.Reader.GetAsync<Household>(DocKeys.Household(number), cancellationToken).ConfigureAwait(false);

        private async Task<IReadOnlyList<string>> CustomTagsAsync() =>
            (await ctx.Reader.GetAsync<HouseholdTagList>(DocKeys.HouseholdTags, cancellationToken).ConfigureAwait(false))?.Names ?? [];

        /// <summary>A grid's households in address order (building, unit, room).</summary>
        private async Task<List<Household>> GridHouseholdsAsync(string gridId)
        {
            var numbers = (await ctx.Reader.MembersAsync(Sets.HouseholdsInGrid(gridId), cancellationToken).ConfigureAwait(false))
                .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
            var docs = await ctx.Reader.GetManyAsync<Household>(numbers.Select(DocKeys.Household).ToList(), cancellationToken).ConfigureAwait(false);
            var buildings = directory.Grid(gridId)?.Buildings.Select(b => b.Id).ToList() ?? [];
            return docs.OfType<Household>()
                .OrderBy(h => buildings.IndexOf(h.BuildingId))
                .ThenBy(h => h.Unit ?? string.Empty, NaturalOrder.Instance)
                .ThenBy(h => h.Room, NaturalOrder.Instance)
                .ToList();
        }

        /// <summary>Writes a changed household with who changed it and when.</summary>
        private Household Save(Household household)
        {
            var saved = household with { UpdatedAt = ctx.Now, UpdatedBy = ctx.Event.UserId };
            ctx.Effects.Put(DocKeys.Household(saved.Number), saved);
            return saved;
        }
    }

    /// <summary>"2" before "10", then text order: how people expect rooms and units sorted.</summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = x ?? string.Empty;
            var b = y ?? string.Empty;
            var na = long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var ia);
            var nb = long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var ib);
            return na && nb ? ia.CompareTo(ib) : na ? -1 : nb ? 1 : string.CompareOrdinal(a, b);
        }
    }
}
