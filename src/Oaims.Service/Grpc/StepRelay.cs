using System.Threading.Channels;
using global::Grpc.Core;
using Oaims.Learning.Adaptation;

namespace Oaims.Service.Grpc;

/// <summary>Sends events (adaptation steps, a click's first mask) to the client while the worker is still computing the next ones.</summary>
public static class StepRelay
{
    /// <summary>Starts the work with a step callback (called on the worker thread) and streams each step as it arrives.
    /// Returns when the work is done and every step has been written.</summary>
    public static Task<T> RunAsync<T, TEvent>(Func<Action<AdaptationStep>, Task<T>> start, IAsyncStreamWriter<TEvent> stream, Func<AdaptationStep, TEvent> toEvent) =>
        RelayAsync<T, TEvent>(emit => start(step => emit(toEvent(step))), stream);

    /// <summary>Starts the work with an event callback (called on the worker thread, never blocked by the network) and
    /// writes the events in the order they were emitted; <paramref name="written"/> hears of each once it is written.
    /// Returns when the work is done and every event has been written.</summary>
    public static async Task<T> RelayAsync<T, TEvent>(Func<Action<TEvent>, Task<T>> start, IAsyncStreamWriter<TEvent> stream, Action<TEvent>? written = null)
    {
        var events = Channel.CreateUnbounded<TEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pump = Task.Run(async () =>
        {
            await foreach (var e in events.Reader.ReadAllAsync())
            {
                await stream.WriteAsync(e);
                written?.Invoke(e);
            }
        });
        T result;
        try
        {
            result = await start(e => events.Writer.TryWrite(e));
        }
        catch
        {
            events.Writer.TryComplete();
            try { await pump; } catch (Exception) { /* the work's error is the one to report */ }
            throw;
        }
        events.Writer.TryComplete();
        await pump;
        return result;
    }
}
