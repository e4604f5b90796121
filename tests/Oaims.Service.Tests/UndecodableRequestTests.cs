using Grpc.Core;
using Oaims.Service.Grpc;

namespace Oaims.Service.Tests;

/// <summary>Bytes that are no protobuf message, sent through a pass-through marshaller as a broken client would.</summary>
[Collection("server")]
public sealed class UndecodableRequestTests(ServerFixture server)
{
    static readonly byte[] NotProtobuf = [0x0A, 0x10, 0x41]; // field 1, 16 bytes long, but only one byte follows
    static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    static Method<byte[], byte[]> Raw(MethodType type, string service, string name) => new(type, $"oaims.v1.{service}", name, Bytes, Bytes);

    [Fact]
    public async Task An_undecodable_unary_request_is_an_invalid_argument_not_unknown()
    {
        var invoker = server.Channel.CreateCallInvoker();
        var e = await Refusals.Expect(StatusCode.InvalidArgument, async () =>
            await invoker.AsyncUnaryCall(Raw(MethodType.Unary, "Segmentation", "GetCapabilities"), null, new CallOptions(), NotProtobuf));
        Assert.Equal(UndecodableRequests.Sentence, e.Status.Detail);
        await Refusals.Expect(StatusCode.InvalidArgument, async () =>
            await invoker.AsyncUnaryCall(Raw(MethodType.Unary, "Workspaces", "CreateWorkspace"), null, new CallOptions(), [0x0A, 0x02, 0xC3, 0x28])); // invalid UTF-8
    }

    [Fact]
    public async Task An_undecodable_server_streaming_request_is_an_invalid_argument()
    {
        using var call = server.Channel.CreateCallInvoker().AsyncServerStreamingCall(Raw(MethodType.ServerStreaming, "Segmentation", "GetMask"), null, new CallOptions(), NotProtobuf);
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(UndecodableRequests.Sentence, e.Status.Detail);
    }

    [Fact]
    public async Task An_undecodable_upload_message_is_an_invalid_argument()
    {
        using var call = server.Channel.CreateCallInvoker().AsyncClientStreamingCall(Raw(MethodType.ClientStreaming, "Segmentation", "UploadImage"), null, new CallOptions());
        await call.RequestStream.WriteAsync(NotProtobuf);
        await call.RequestStream.CompleteAsync();
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => call.ResponseAsync);
        Assert.Equal(UndecodableRequests.Sentence, e.Status.Detail);
    }
}
