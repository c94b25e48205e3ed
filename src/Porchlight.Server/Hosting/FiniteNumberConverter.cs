using System.Text.Json;
using System.Text.Json.Serialization;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Numbers with a fraction in the API are finite. The JSON reader takes <c>1e309</c> as infinity, which no field means
/// and no answer can carry (JSON has no infinity): writing it back failed with a server error. Refused as a field error.
/// </summary>
public sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value)
            ? value
            : throw new JsonException("A finite number.");

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
