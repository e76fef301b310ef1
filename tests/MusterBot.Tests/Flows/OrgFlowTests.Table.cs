using MusterBot.Flows.Org;
using MusterBot.State.Documents;
using MusterBot.State.Records;
using MusterBot.State.Records.Directory;
using MusterBot.State.Records.Org;
using MusterBot.Tests.Support;

namespace MusterBot.Tests.Flows;

public partial class OrgFlowTests
{
    /// <summary>
    /// Outcomes: y = done; o = outside the administrator's subtree; a = for the level above (renaming or removing one's own
    /// node); b = a community has no level below; c = removing a node that still has live children.
    /// Actions, in order: view, create child, rename, remove, appoint administrator, remove administrator.
    /// </summary>
    private static readonly (string Admin, long AdminNode, (string Relation, long Target, string Expected)[] Cells)[] Table =
    [
        ("city", 1,
        [
            ("own", 1, "yyyayy"),   // the root: renamed by its own administrators, never removed
            ("child", 2, "yyycyy"),
            ("grandchild", 3, "yyycyy"),
            ("root", 1, "yyyayy"),
        ]),
        ("district", 2,
        [
            ("own", 2, "yyaayy"),
            ("child", 3, "yyycyy"),
            ("grandchild", 4, "ybyyyy"),
            ("sibling", 8, "oooooo"),
            ("parent", 1, "oooooo"),
            ("cousin", 9, "oooooo"),   // a street of the other district
            ("root", 1, "oooooo"),
        ]),
        ("street", 3,
        [
            ("own", 3, "yyaayy"),
            ("child", 4, "ybyyyy"),
            ("sibling", 5, "oooooo"),
            ("parent", 2, "oooooo"),
            ("cousin", 9, "oooooo"),
            ("root", 1, "oooooo"),
        ]),
        ("community", 4,
        [
            ("own", 4, "ybaayy"),
            ("sibling", 6, "oooooo"),
            ("parent", 3, "oooooo"),
            ("cousin", 7, "oooooo"),
            ("root", 1, "oooooo"),
        ]),
    ];

    private static readonly OrgAction[] Actions = [OrgAction.View, OrgAction.CreateChild, OrgAction.Rename, OrgAction.Remove, OrgAction.AppointAdmin, OrgAction.RemoveAdmin];

    public static TheoryData<string, long, string, long, OrgAction, char> Cells()
    {
        var data = new TheoryData<string, long, string, long, OrgAction, char>();
        foreach (var (admin, adminNode, cells) in Table)
        {
            foreach (var (relation, target, expected) in cells)
            {
                for (var i = 0; i < Actions.Length; i++)
                {
                    data.Add(admin, adminNode, relation, target, Actions[i], expected[i]);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Table_CoversEveryLevelAndAction_AndOnlyExistingRelations()
    {
        Assert.Equal(Enum.GetValues<OrgLevel>().Length, Table.Length);
        Assert.All(Table, row => Assert.All(row.Cells, c => Assert.Equal(Actions.Length, c.Expected.Length)));
        Assert.Equal(Enum.GetValues<OrgAction>().Length, Actions.Distinct().Count());
        Assert.Equal(4 * 6 + 7 * 6 + 6 * 6 + 5 * 6, Cells().Count);
    }

    /// <summary>
    /// One cell of the table: the administrator of <paramref name="adminNode"/> presses the button of
    /// <paramref name="action"/> on <paramref name="target"/> (and completes it: a name, a confirmation). A refused cell
    /// gets its polite alert and leaves every node, the counters and the invitations as they were — the confirmation's
    /// payload pressed directly (forged, skipping the first step) is refused the same way.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Administrator_ActsOnTheirNodeAndBelow_NeverBesideOrAbove(string admin, long adminNode, string relation, long target, OrgAction action, char expected)
    {
        _ = (admin, relation);
        var h = await SeedAsync();
        var actor = ActorOf(adminNode);
        var before = await TreeSnapshotAsync(h);
        var targetBefore = (await NodeAsync(h, target))!;

        switch (action)
        {
            case OrgAction.View:
                await h.Press(actor, O(new OrgButton.Open(target, 0)));
                break;
            case OrgAction.CreateChild:
                await h.Press(actor, O(new OrgButton.NewChild(target)));
                break;
            case OrgAction.Rename:
                await h.Press(actor, O(new OrgButton.Rename(target)));
                break;
            case OrgAction.Remove:
                await h.Press(actor, O(new OrgButton.Remove(target)));
                break;
            case OrgAction.AppointAdmin:
                await h.Press(actor, O(new OrgButton.Appoint(target)));
                break;
            case OrgAction.RemoveAdmin:
                await h.Press(actor, O(new OrgButton.RemoveAdmin(target, OtherAdminOf(target))));
                break;
        }

        var first = await h.DrainAsync();
        if (expected != 'y')
        {
            var reason = expected switch
            {
                'o' => En("org.outside"),
                'a' => En("org.refused.level_above", targetBefore.Name),
                'b' => En("org.refused.no_level_below"),
                _ => En("org.remove.has_children", targetBefore.Name, targetBefore.Children.Count, En("org.level." + (targetBefore.Level + 1).ToString().ToLowerInvariant())),
            };
            Assert.Equal(reason, AlertIn(first)?.Text);
            Assert.DoesNotContain("?start=", Shown(first), StringComparison.Ordinal);

            // The payload of the step after (the confirmation, the name) sent directly changes nothing either.
            if (action == OrgAction.Remove)
            {
                await h.Press(actor, O(new OrgButton.ConfirmRemove(target)));
                Assert.Equal(reason, AlertIn(await h.DrainAsync())?.Text);
            }
            else if (action == OrgAction.RemoveAdmin)
            {
                await h.Press(actor, O(new OrgButton.ConfirmRemoveAdmin(target, OtherAdminOf(target))));
                Assert.Equal(reason, AlertIn(await h.DrainAsync())?.Text);
                Assert.Equal([target], (await ProfileAsync(h, OtherAdminOf(target)))!.AdminOf);
            }
            else if (action is OrgAction.CreateChild or OrgAction.Rename)
            {
                Assert.NotEqual(OrgFlow.FlowName, (await h.ConversationAsync(actor.Id))?.Flow);
                await h.Text(actor, "Forged");
                await h.DrainAsync();
            }

            Assert.Equal(before, await TreeSnapshotAsync(h));
            return;
        }

        Assert.Null(AlertIn(first));
        switch (action)
        {
            case OrgAction.View:
                Assert.Contains("<b>🏛 " + targetBefore.Name + "</b>", Shown(first), StringComparison.Ordinal);
                Assert.Equal(before, await TreeSnapshotAsync(h));
                break;
            case OrgAction.CreateChild:
                await h.Text(actor, "  New unit  ");
                var child = (await NodeAsync(h, 11))!;
                Assert.Equal(("New unit", target, targetBefore.Level + 1), (child.Name, child.ParentId, child.Level));
                Assert.Equal([.. targetBefore.Path, target], child.Path);
                Assert.Equal([.. targetBefore.Children, 11], (await NodeAsync(h, target))!.Children);
                Assert.Equal(11, RecordJson.Deserialize<OrgCounters>((await h.Store.GetAsync(DocKeys.OrgCounters, CancellationToken.None))!.Json).LastNodeId);
                break;
            case OrgAction.Rename:
                await h.Text(actor, "Renamed");
                Assert.Equal("Renamed", (await NodeAsync(h, target))!.Name);
                break;
            case OrgAction.Remove:
                Assert.Contains(En("org.button.confirm_remove"), string.Join(" ", first.Select(m => m.Action).OfType<MusterBot.State.Outbox.EditText>().SelectMany(e => e.Markup!.Rows.SelectMany(r => r.Select(b => b.Text)))), StringComparison.Ordinal);
                Assert.Null((await NodeAsync(h, target))!.RemovedAt);
                await h.Press(actor, O(new OrgButton.ConfirmRemove(target)));
                Assert.Equal(h.Clock.GetUtcNow(), (await NodeAsync(h, target))!.RemovedAt);
                break;
            case OrgAction.AppointAdmin:
                var code = InviteCode().Match(Shown(first)).Groups[1].Value;
                var invite = RecordJson.Deserialize<Invite>((await h.Store.GetAsync(DocKeys.Invite(code).In(Shards.Root), CancellationToken.None))!.Json);
                Assert.Equal((Roles.Admin, (long?)target, 1, 0), (invite.Role, invite.NodeId, invite.MaxUses, invite.Uses));
                Assert.Equal(before, await TreeSnapshotAsync(h));
                break;
            case OrgAction.RemoveAdmin:
                Assert.Contains(OtherAdminOf(target), (await NodeAsync(h, target))!.Admins);
                await h.Press(actor, O(new OrgButton.ConfirmRemoveAdmin(target, OtherAdminOf(target))));
                Assert.DoesNotContain(OtherAdminOf(target), (await NodeAsync(h, target))!.Admins);
                Assert.Empty((await ProfileAsync(h, OtherAdminOf(target)))!.AdminOf);
                break;
        }
    }
}
