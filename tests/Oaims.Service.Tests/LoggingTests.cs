using System.Text.Json;
using Oaims.Service.V1;

namespace Oaims.Service.Tests;

public sealed class LoggingTests
{
    [Fact]
    public async Task A_click_is_logged_as_a_structured_json_event_with_session_workspace_click_and_latency_parts()
    {
        string root = Directory.CreateTempSubdirectory("oaims-log-").FullName;
        string log = Path.Combine(root, "events.json");
        string sessionId;
        await using (var server = await SidecarHost.StartAsync(ServerFixture.Options(root) with { LogJsonPath = log }))
        {
            using var client = new Cli.RemoteClient(server.Address);
            var image = await client.UploadAsync(TestImages.Brain2D().Image);
            sessionId = (await client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1)).SessionId;
            await client.ClickAsync(sessionId, new Click { Axis = 2, I = 16, J = 16, Positive = true });
        }
        var events = File.ReadAllLines(log).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var click = Assert.Single(events, e => e.TryGetProperty("ClickIndex", out _));
        Assert.Equal(sessionId, click.GetProperty("SessionId").GetString());
        Assert.Equal(TinyModels.Brain, click.GetProperty("Workspace").GetString());
        Assert.Equal(1, click.GetProperty("ClickIndex").GetInt32());
        foreach (string part in new[] { "QueueMs", "ForwardMs", "AdaptationMs", "EncodeMs", "TotalMs" })
            Assert.True(click.GetProperty(part).GetDouble() >= 0, part);
        Assert.Contains(events, e => e.GetProperty("@mt").GetString()!.Contains("on device", StringComparison.Ordinal));
        Directory.Delete(root, recursive: true);
    }
}
