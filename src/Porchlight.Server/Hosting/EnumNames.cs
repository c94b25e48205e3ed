namespace Porchlight.Server.Hosting;

/// <summary>
/// Reads a stored or submitted enum value by its name only. <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
/// also takes numbers ("7") and comma lists ("High, Low"), which would let undefined or combined values through.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? value, out TEnum result)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                result = candidate;
                return true;
            }
        }

        result = default;
        return false;
    }
}
