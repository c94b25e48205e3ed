using Microsoft.AspNetCore.Identity;
using Porchlight.Server.Hosting;

namespace Porchlight.Server.Features.Agents;

/// <summary>Maps ASP.NET Core Identity's error codes to the fields a person filled in.</summary>
public static class IdentityFailures
{
    public static Failure From(IdentityResult result)
    {
        var errors = new FieldErrors();
        foreach (var error in result.Errors)
        {
            var field = error.Code switch
            {
                _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => "password",
                "DuplicateEmail" or "DuplicateUserName" or "InvalidEmail" or "InvalidUserName" => "email",
                _ => "",
            };
            errors.Add(field, error.Description);
        }

        return result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
            ? Failure.Duplicate("email", "An agent with this email already exists.")
            : errors.ToFailure();
    }
}
