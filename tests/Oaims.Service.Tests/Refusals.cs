using Grpc.Core;

namespace Oaims.Service.Tests;

/// <summary>Asserts that a call fails with a given status code and a sentence a user can read.</summary>
public static class Refusals
{
    public static async Task<RpcException> Expect(StatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(e.StatusCode == code, $"Expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        Assert.True(e.Status.Detail.Length > 15 && !e.Status.Detail.Contains("Exception", StringComparison.Ordinal),
            $"The status needs a human sentence, got: '{e.Status.Detail}'");
        return e;
    }
}
