using System.Text.Json;
using System.Text.Json.Serialization;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Enums in the API are their names, and only their names. The framework's string converter also reads comma lists
/// ("High, Low") as a combination of values, which for an ordinary enum is silently another value (High | Low is
/// High); this one refuses anything but one defined name (ignoring case), so such input is a field error.
/// </summary>
public sealed class StrictEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(NameConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class NameConverter<TEnum> : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && EnumNames.TryParse<TEnum>(reader.GetString(), out var value)
                ? value
                : throw new JsonException($"One of {string.Join(", ", Enum.GetNames<TEnum>())}.");

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

        public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            EnumNames.TryParse<TEnum>(reader.GetString(), out var value) ? value : throw new JsonException($"One of {string.Join(", ", Enum.GetNames<TEnum>())}.");

        public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WritePropertyName(value.ToString());
    }
}
