using System.ComponentModel.DataAnnotations;

namespace MusterBot.Host.WebApp;

/// <summary>The <c>WebApp</c> section: the dashboard opened inside Telegram as a Mini App (<c>/app</c>).</summary>
public sealed class WebAppOptions : IValidatableObject
{
    public const string Section = "WebApp";

    /// <summary>
    /// An <c>initData</c> older than this (its <c>auth_date</c>) is refused with 401: a copied one stops working.
    /// Telegram signs it when the Mini App is opened, so a page kept open longer is reopened from the chat.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The public HTTPS address of <c>/app</c> (e.g. <c>https://bot.example.org/app</c>) that the bot puts into its
    /// "📊 Dashboard" buttons. Telegram opens only HTTPS pages; unset, the bot offers no dashboard button (the sandbox
    /// uses its own local address).
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>How often an open board asks for fresh figures (at most once a second).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicUrl is { } url && (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("WebApp:PublicUrl must be an https:// address: Telegram opens Mini Apps over HTTPS only.", [nameof(PublicUrl)]);
        }
    }
}
