using System.Globalization;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Stats;
using MusterBot.Flows.Texts;
using MusterBot.State.Records;
using MusterBot.State.Records.Complaints;

namespace MusterBot.Flows.Complaints;

public sealed partial class ComplaintFlow : ILeaveSection
{
    /// <summary>
    /// A grid worker leaves: every open complaint assigned to them loses its handler. One waiting for a handler's work
    /// (assigned or in progress) goes back to "unassigned" and the administrators are told to assign it again; a
    /// resolved one waiting for feedback keeps its status (a reopen then goes to the administrators).
    /// </summary>
    public async ValueTask HandBackAsync(FlowContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        var me = ctx.Profile.Id;
        var numbers = (await ctx.Reader.MembersAsync(Sets.ComplaintsHandledBy(me), cancellationToken).ConfigureAwait(false))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order().ToList();
        var complaints = await ctx.Reader.GetManyAsync<Complaint>(numbers.Select(DocKeys.Complaint).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var complaint in complaints.OfType<Complaint>().Where(c => c.IsOpen && c.HandlerId == me))
        {
            var waiting = complaint.Status is ComplaintStatus.Assigned or ComplaintStatus.InProgress;
            var handedBack = (complaint with { HandlerId = null, Status = waiting ? ComplaintStatus.Unassigned : complaint.Status })
                .With(new ComplaintEvent(ctx.Now, me, "handler left"));
            Save(ctx, complaint, handedBack);
            await CommunityTally.ComplaintChangedAsync(ctx, complaint, handedBack, _options.UtcOffset, null, cancellationToken).ConfigureAwait(false);
            if (waiting)
            {
                await TellAdminsAsync(ctx, handedBack, language => texts.Format(language, "cp.admin.handler_left", complaint.Code, Html.Escape(ctx.Profile.FirstName)), language => AdminButtons(language, handedBack), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
