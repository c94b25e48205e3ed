using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Porchlight.Server.Hosting.Cluster;

/// <summary>Which node runs a scheduled job, until when. One row per job; a node takes it when it has expired.</summary>
public sealed class JobLease
{
    private JobLease()
    {
    }

    public JobLease(string job, string holder, DateTime until) => (Job, Holder, Until) = (job, holder, until);

    public string Job { get; private set; } = "";

    public string Holder { get; private set; } = "";

    public DateTime Until { get; private set; }
}

internal sealed class JobLeaseConfiguration : IEntityTypeConfiguration<JobLease>
{
    public void Configure(EntityTypeBuilder<JobLease> builder)
    {
        builder.HasKey(l => l.Job);
        builder.Property(l => l.Job).HasMaxLength(100);
        builder.Property(l => l.Holder).HasMaxLength(200);
    }
}
