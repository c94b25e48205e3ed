namespace Porchlight.Server.Hosting;

public enum FailureKind
{
    NotFound,
    Forbidden,
    Invalid,
    Conflict,

    /// <summary>An upload over its size limit (413).</summary>
    TooLarge,

    /// <summary>An upload of a type that is not accepted (415).</summary>
    UnsupportedType,
}

/// <summary>Why a use case did not do what was asked. Mapped to ProblemDetails by <see cref="ProblemResults"/>.</summary>
public sealed record Failure(FailureKind Kind, string Detail, IReadOnlyDictionary<string, string[]>? FieldErrors = null)
{
    public static Failure NotFound(string what) => new(FailureKind.NotFound, $"{what} was not found.");

    public static Failure Forbidden(string reason) => new(FailureKind.Forbidden, reason);

    public static Failure Conflict(string detail) => new(FailureKind.Conflict, detail);

    public static Failure TooLarge(string detail) => new(FailureKind.TooLarge, detail);

    public static Failure UnsupportedType(string detail) => new(FailureKind.UnsupportedType, detail);

    /// <summary>A unique value (a name, an email) that is already taken.</summary>
    public static Failure Duplicate(string field, string message) =>
        new(FailureKind.Conflict, message, new Dictionary<string, string[]> { [field] = [message] });

    public static Failure Invalid(string field, string message) =>
        new(FailureKind.Invalid, "One or more fields are invalid.", new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>The value of a use case that succeeds without producing anything.</summary>
public readonly record struct Done;

/// <summary>The outcome of a use case: a value, or a <see cref="Failure"/>. Never an HTTP type.</summary>
public readonly record struct Result<T>
{
    private Result(T? value, Failure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public Failure? Failure { get; }

    public bool Succeeded => Failure is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Failure failure) => new(default, failure);
}

/// <summary>Collects field errors of one request, so all of them are reported at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>How many fields have errors so far: a check can see whether it added any.</summary>
    public int Count => _errors.Count;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
        return this;
    }

    public FieldErrors Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Required.");
        }
        else if (value.Trim().Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
        }

        return this;
    }

    public FieldErrors MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Trim().Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
        }

        return this;
    }

    public FieldErrors Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Required.");
        }
        else if (!EmailAddress.IsValid(value))
        {
            Add(field, "Not a valid email address.");
        }

        return this;
    }

    public Failure ToFailure() => new(
        FailureKind.Invalid,
        "One or more fields are invalid.",
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
