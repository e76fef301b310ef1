using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MusterBot.Flows.Admin;
using MusterBot.Flows.Profile;
using MusterBot.Flows.Registration;
using MusterBot.Flows.Runtime;
using MusterBot.Flows.Session;
using MusterBot.Flows.Texts;

namespace MusterBot.Flows;

/// <summary>Registers the texts, the flows, the router and the update processor.</summary>
public static class FlowsHostingExtensions
{
    public static IHostApplicationBuilder AddMusterBotFlows(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<FlowOptions>().BindConfiguration(FlowOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TextCatalog.Default);
        builder.Services.AddSingleton<BotIdentity>();
        builder.Services.AddSingleton<Dashboard.DashboardQueries>();
        builder.Services.AddSingleton<Dashboard.QueueQueries>();
        builder.Services.AddSingleton<Dashboard.FigureQueries>();
        builder.Services.AddSingleton<IFlow, MainFlow>();
        builder.Services.AddSingleton<IFlow, RegistrationFlow>();
        builder.Services.AddSingleton<IFlow, AdminFlow>();
        builder.Services.AddSingleton<IFlow, Org.OrgFlow>();
        builder.Services.AddSingleton<IFlow, ProfileFlow>();
        builder.Services.AddOptions<Musters.MusterOptions>().BindConfiguration(Musters.MusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Musters.MusterFlow>();
        builder.Services.AddSingleton<IFlow>(sp => sp.GetRequiredService<Musters.MusterFlow>());
        builder.Services.AddSingleton<IMySection>(sp => sp.GetRequiredService<Musters.MusterFlow>());
        builder.Services.AddSingleton<ILeaveSection>(sp => sp.GetRequiredService<Musters.MusterFlow>());
        builder.Services.AddOptions<Wishes.WishOptions>().BindConfiguration(Wishes.WishOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Wishes.WishFlow>();
        builder.Services.AddSingleton<IFlow>(sp => sp.GetRequiredService<Wishes.WishFlow>());
        builder.Services.AddSingleton<IMySection>(sp => sp.GetRequiredService<Wishes.WishFlow>());
        builder.Services.AddSingleton<ILeaveSection>(sp => sp.GetRequiredService<Wishes.WishFlow>());
        builder.Services.AddSingleton<IFlow>(sp => new Points.PointsFlow(sp.GetRequiredService<TextCatalog>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Wishes.WishOptions>>().Value.UtcOffset));
        builder.Services.AddOptions<Complaints.ComplaintOptions>().BindConfiguration(Complaints.ComplaintOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Complaints.ComplaintFlow>();
        builder.Services.AddSingleton<IFlow>(sp => sp.GetRequiredService<Complaints.ComplaintFlow>());
        builder.Services.AddSingleton<IMySection>(sp => sp.GetRequiredService<Complaints.ComplaintFlow>());
        builder.Services.AddSingleton<ILeaveSection>(sp => sp.GetRequiredService<Complaints.ComplaintFlow>());
        builder.Services.AddSingleton<InService.InServiceFlow>();
        builder.Services.AddSingleton<IFlow>(sp => sp.GetRequiredService<InService.InServiceFlow>());
        builder.Services.AddSingleton<ILeaveSection>(sp => sp.GetRequiredService<InService.InServiceFlow>());
        builder.Services.AddSingleton<IFlow>(sp => new Households.HouseholdFlow(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Wishes.WishOptions>>().Value.UtcOffset));
        builder.Services.AddSingleton<IFlow, Households.WelfareFlow>();
        builder.Services.AddSingleton<IFlow, Posts.PostFlow>();
        builder.Services.AddSingleton<IFlow, Groups.GroupFlow>();
        builder.Services.AddSingleton<IFlow>(sp => new Broadcasts.NoticeFlow(sp.GetRequiredService<TextCatalog>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Wishes.WishOptions>>().Value.UtcOffset));
        builder.Services.AddSingleton<IFlow, MyFlow>();
        builder.Services.AddSingleton<FlowRouter>();
        builder.Services.AddSingleton<UpdateProcessor>();
        return builder;
    }
}
