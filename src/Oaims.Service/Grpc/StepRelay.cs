using System.Threading.Channels;
using global::Grpc.Core;
using Oaims.Learning.Adaptation;

namespace Oaims.Service.Grpc;

/// <summary>Sends adaptation steps to the client while the worker is still computing the next ones.</summary>
public static class StepRelay
{
    /// <summary>Starts the work with a step callback (called on the worker thread) and streams each step as it arrives.
    /// Returns when the work is done and every step has been written.</summary>
    public static Task<T> RunAsync<T, TEvent>(Func<Action<AdaptationStep>, Task<T>> start, IAsyncStreamWriter<TEvent> stream, Func<AdaptationStep, TEvent> toEvent) =>
        RelayAsync(start, stream, toEvent);

    /// <summary>As <see cref="RunAsync"/> for any kind of item the work reports (propagated slices as well as steps).</summary>
    public static async Task<T> RelayAsync<T, TItem, TEvent>(Func<Action<TItem>, Task<T>> start, IAsyncStreamWriter<TEvent> stream, Func<TItem, TEvent> toEvent)
    {
        var steps = Channel.CreateUnbounded<TItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pump = Task.Run(async () =>
        {
            await foreach (var step in steps.Reader.ReadAllAsync()) await stream.WriteAsync(toEvent(step));
        });
        T result;
        try
        {
            result = await start(step => steps.Writer.TryWrite(step));
        }
        catch
        {
            steps.Writer.TryComplete();
            try { await pump; } catch (Exception) { /* the work's error is the one to report */ }
            throw;
        }
        steps.Writer.TryComplete();
        await pump;
        return result;
    }
}
