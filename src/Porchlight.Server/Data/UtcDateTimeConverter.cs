using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Porchlight.Server.Data;

/// <summary>
/// Every DateTime is UTC in memory and in storage. SQLite keeps no kind, and Npgsql refuses a
/// non-UTC value for timestamptz, so values are normalised on the way in and marked UTC on the way out.
/// </summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
