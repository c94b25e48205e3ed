using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Porchlight.Server.Data;

/// <summary>
/// A value stored whole as JSON text, the same shape on both providers. Compared by its JSON, so a value
/// changed in place (a dictionary entry added) is still seen as modified.
/// </summary>
public static class JsonColumn
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ValueConverter<T, string> Converter<T>() where T : class, new() => new(
        value => JsonSerializer.Serialize(value, Json),
        text => JsonSerializer.Deserialize<T>(text, Json) ?? new T());

    public static ValueConverter<T, string> Converter<T>(T empty) where T : class => new(
        value => JsonSerializer.Serialize(value, Json),
        text => JsonSerializer.Deserialize<T>(text, Json) ?? empty);

    public static ValueComparer<T> Comparer<T>() where T : class => new(
        (a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
        value => JsonSerializer.Serialize(value, Json).GetHashCode(StringComparison.Ordinal),
        value => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, Json), Json)!);
}
