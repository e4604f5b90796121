// Torch already uses every core inside each test; running test classes side by side only adds contention,
// and one test changes LibTorch's thread count, which must not happen under another test's parallel region.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
