using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Oaims.Service.V1;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class CapabilitiesTests(ServerFixture server)
{
    [Fact]
    public async Task Capabilities_list_the_models_with_their_classes_channels_and_task()
    {
        var capabilities = await server.Segmentation.GetCapabilitiesAsync(new GetCapabilitiesRequest());
        var brain = Assert.Single(capabilities.Models, m => m.Name == TinyModels.Brain);
        Assert.Equal(["background", "lesion"], brain.ClassNames);
        Assert.Equal(1, brain.ImageChannels);
        Assert.Equal("brain-lesion", brain.Task);
        var rgb = Assert.Single(capabilities.Models, m => m.Name == TinyModels.Rgb);
        Assert.Equal(3, rgb.ImageChannels);
        Assert.Equal(["background", "rim", "cup"], rgb.ClassNames);
    }

    [Fact]
    public async Task Capabilities_give_device_strategies_limits_and_default_workspaces()
    {
        var capabilities = await server.Segmentation.GetCapabilitiesAsync(new GetCapabilitiesRequest());
        Assert.Equal("cpu", capabilities.Device);
        Assert.False(string.IsNullOrEmpty(capabilities.ServerVersion));
        Assert.Contains("pi+mi", capabilities.Strategies);
        Assert.Contains("none", capabilities.Strategies);
        Assert.Equal(ServerFixture.TestLimits.MaxUploadBytes, capabilities.Limits.MaxUploadBytes);
        Assert.Equal(ServerFixture.TestLimits.QueueCapacity, capabilities.Limits.QueueCapacity);
        Assert.Equal((ServerFixture.TestLimits.MemoryBudgetBytes, ServerFixture.TestLimits.MaxConcurrentUploads, ServerFixture.TestLimits.UploadIdleSeconds),
            (capabilities.Limits.MemoryBudgetBytes, capabilities.Limits.MaxConcurrentUploads, capabilities.Limits.UploadIdleSeconds));
        Assert.Contains(TinyModels.Brain, capabilities.Workspaces);
        Assert.False(capabilities.TokenRequired);
    }

    [Fact]
    public async Task Every_model_gets_a_default_workspace_named_after_it_with_pi_mi()
    {
        var list = await server.Workspaces.ListWorkspacesAsync(new ListWorkspacesRequest());
        foreach (string model in new[] { TinyModels.Brain, TinyModels.Rgb })
        {
            var workspace = Assert.Single(list.Workspaces, w => w.Name == model);
            Assert.Equal(model, workspace.Model);
            Assert.Equal("pi+mi", workspace.Strategy);
        }
    }

    [Fact]
    public async Task Health_service_reports_serving()
    {
        var health = new Health.HealthClient(server.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_both_oaims_services()
    {
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("oaims.v1.Segmentation", names);
        Assert.Contains("oaims.v1.Workspaces", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }
}
