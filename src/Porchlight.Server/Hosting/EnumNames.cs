using System.Collections.Frozen;

namespace Porchlight.Server.Hosting;

/// <summary>
/// Reads a stored or submitted enum value by its name only. <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
/// also takes numbers ("7") and comma lists ("High, Low"), which would let undefined or combined values through.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? value, out TEnum result)
        where TEnum : struct, Enum =>
        Of<TEnum>.ByName.TryGetValue(value?.Trim() ?? "", out result);

    // Read once per enum type: the JSON converter asks on every request.
    private static class Of<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<string, TEnum> ByName =
            Enum.GetNames<TEnum>().ToFrozenDictionary(name => name, Enum.Parse<TEnum>, StringComparer.OrdinalIgnoreCase);
    }
}
