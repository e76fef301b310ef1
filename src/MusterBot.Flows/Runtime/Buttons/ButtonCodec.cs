using System.Globalization;
using System.Reflection;
using System.Text;

namespace MusterBot.Flows.Runtime.Buttons;

/// <summary>
/// Turns a flow's typed button payloads (records) into callback data and back: <c>prefix:tag:field:field…</c>, at
/// most 64 bytes (Telegram's limit). Each payload type is registered once with its tag; its fields are the record's
/// positional parameters, of type <see cref="int"/>, <see cref="long"/>, <see cref="bool"/>, <see cref="string"/>
/// (without ':'), an enum (by name) or a nullable of those (empty when null). Decoding is strict: the prefix, a known
/// tag, exactly the fields of that type, each well formed; anything else decodes to null. Callback data is never
/// trusted: a decoded payload names an object, and the flow re-reads it and re-checks the presser's rights.
/// </summary>
/// <typeparam name="TButton">The flow's payload base type.</typeparam>
public sealed class ButtonCodec<TButton>
    where TButton : class
{
    /// <summary>Telegram's limit for callback_data, in bytes.</summary>
    public const int MaxBytes = 64;

    private const char Separator = ':';
    private readonly string _prefix;
    private readonly Dictionary<string, PayloadShape> _byTag = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, PayloadShape> _byType = [];

    /// <param name="prefix">The flow's prefix, e.g. "mu" (routing sends presses with this prefix to the flow).</param>
    public ButtonCodec(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException("A prefix cannot contain ':'.", nameof(prefix));
        }

        _prefix = prefix;
        Prefix = prefix + Separator;
    }

    /// <summary>The flow's prefix followed by the separator ("mu:"); built once, since every press asks every flow.</summary>
    public string Prefix { get; }

    /// <summary>The registered payload types with their tags, in registration order.</summary>
    public IEnumerable<(string Tag, Type Type)> Registered => _byTag.Values.Select(s => (s.Tag, s.Type));

    /// <summary>Registers a payload type under a tag unique in this codec.</summary>
    public ButtonCodec<TButton> Add<T>(string tag)
        where T : TButton
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (tag.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException("A tag cannot contain ':'.", nameof(tag));
        }

        var shape = PayloadShape.Of(typeof(T), tag);
        if (!_byTag.TryAdd(tag, shape) || !_byType.TryAdd(typeof(T), shape))
        {
            throw new ArgumentException($"Tag '{tag}' or type {typeof(T).Name} is registered twice.", nameof(tag));
        }

        return this;
    }

    /// <summary>True for callback data that carries this codec's prefix (it may still fail to decode).</summary>
    public bool Owns(string? data) => data is not null && data.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Encodes a payload; throws for an unregistered type, a string field with ':' or more than 64 bytes (bugs).</summary>
    public string Encode(TButton button)
    {
        ArgumentNullException.ThrowIfNull(button);
        if (!_byType.TryGetValue(button.GetType(), out var shape))
        {
            throw new InvalidOperationException($"{button.GetType().Name} is not registered with the '{_prefix}' button codec.");
        }

        var sb = new StringBuilder(_prefix.Length + 24).Append(_prefix).Append(Separator).Append(shape.Tag);
        foreach (var field in shape.Fields)
        {
            sb.Append(Separator).Append(field.Format(field.Property.GetValue(button)));
        }

        var data = sb.ToString();
        if (Encoding.UTF8.GetByteCount(data) > MaxBytes)
        {
            throw new InvalidOperationException($"Callback data of {shape.Type.Name} is longer than {MaxBytes} bytes: {data}");
        }

        return data;
    }

    /// <summary>Decodes callback data; null for anything that is not exactly one of the registered payloads.</summary>
    public TButton? Decode(string? data)
    {
        if (data is null || !Owns(data) || Encoding.UTF8.GetByteCount(data) > MaxBytes)
        {
            return null;
        }

        var parts = data[Prefix.Length..].Split(Separator);
        if (!_byTag.TryGetValue(parts[0], out var shape) || parts.Length != shape.Fields.Count + 1)
        {
            return null;
        }

        var values = new object?[shape.Fields.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!shape.Fields[i].TryParse(parts[i + 1], out values[i]))
            {
                return null;
            }
        }

        return (TButton)shape.Constructor.Invoke(values);
    }

    private sealed record PayloadShape(Type Type, string Tag, ConstructorInfo Constructor, IReadOnlyList<PayloadField> Fields)
    {
        public static PayloadShape Of(Type type, string tag)
        {
            // The primary constructor of a positional record: the public one with the most parameters
            // (the compiler's copy constructor is protected).
            var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
                .OrderByDescending(c => c.GetParameters().Length)
                .FirstOrDefault()
                ?? throw new ArgumentException($"{type.Name} has no public constructor.", nameof(type));
            var fields = constructor.GetParameters()
                .Select(p => new PayloadField(
                    type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance)
                        ?? throw new ArgumentException($"{type.Name}.{p.Name} is not a property: use a positional record.", nameof(type))))
                .ToList();
            return new PayloadShape(type, tag, constructor, fields);
        }
    }

    private sealed class PayloadField
    {
        private readonly Type _type;
        private readonly bool _nullable;

        public PayloadField(PropertyInfo property)
        {
            Property = property;
            var underlying = Nullable.GetUnderlyingType(property.PropertyType);
            _nullable = underlying is not null || !property.PropertyType.IsValueType;
            _type = underlying ?? property.PropertyType;
            if (_type != typeof(int) && _type != typeof(long) && _type != typeof(bool) && _type != typeof(string) && !_type.IsEnum)
            {
                throw new ArgumentException($"{property.DeclaringType?.Name}.{property.Name}: {_type.Name} cannot travel in callback data.", nameof(property));
            }
        }

        public PropertyInfo Property { get; }

        public string Format(object? value) => value switch
        {
            null => string.Empty,
            int i => i.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            bool b => b ? "1" : "0",
            string s when s.Contains(Separator, StringComparison.Ordinal) =>
                throw new InvalidOperationException($"{Property.DeclaringType?.Name}.{Property.Name} contains ':'."),
            string s => s,
            Enum e when Enum.IsDefined(_type, e) => e.ToString(),
            _ => throw new InvalidOperationException($"{Property.DeclaringType?.Name}.{Property.Name}: {value} is not a defined value."),
        };

        public bool TryParse(string text, out object? value)
        {
            value = null;
            if (text.Length == 0)
            {
                // Empty is null for a nullable field and the empty string for a string; a number or enum needs digits or a name.
                if (_type == typeof(string))
                {
                    value = string.Empty;
                    return true;
                }

                return _nullable;
            }

            if (_type == typeof(string))
            {
                value = text;
                return true;
            }

            if (_type == typeof(int))
            {
                if (IsInteger(text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                {
                    value = i;
                    return true;
                }

                return false;
            }

            if (_type == typeof(long))
            {
                if (IsInteger(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    value = l;
                    return true;
                }

                return false;
            }

            if (_type == typeof(bool))
            {
                value = text == "1";
                return text is "0" or "1";
            }

            // Enums by name only: a number, a name in another case or a combination of flags is refused.
            if (char.IsLetter(text[0]) && Enum.TryParse(_type, text, ignoreCase: false, out var parsed) && Enum.IsDefined(_type, parsed!)
                && parsed!.ToString() == text)
            {
                value = parsed;
                return true;
            }

            return false;
        }

        // Canonical integers only: an optional '-' then digits, no leading zeros, no '+', no spaces.
        private static bool IsInteger(string text)
        {
            var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
            return digits.Length > 0 && (digits.Length == 1 || digits[0] != '0') && digits.IndexOfAnyExceptInRange('0', '9') < 0;
        }
    }
}
