// Each test starts a server and a browser; on a small machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
