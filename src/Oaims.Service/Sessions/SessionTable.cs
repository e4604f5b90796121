using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Oaims.Service.Sessions;

/// <summary>
/// The open sessions by id, with their leases. An expired session is taken out (and its tensors freed on its worker);
/// its id is remembered for a while so that a late call hears "expired" rather than "unknown".
/// </summary>
public sealed class SessionTable(int maxSessions)
{
    const int RememberedExpiries = 4096;
    readonly ConcurrentDictionary<string, SegmentationSession> _open = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (DateTimeOffset When, int LeaseSeconds)> _expired = new(StringComparer.Ordinal);
    readonly object _gate = new();

    public int Count => _open.Count;

    public IEnumerable<SegmentationSession> All => _open.Values;

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether the text has the shape of an id <see cref="NewId"/> makes: 32 lowercase hex digits.</summary>
    public static bool IsWellFormed(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    /// <summary>Whether the session is open and its lease has not run out (no side effects: for lease checks of others).</summary>
    public bool IsOpen(string id) => _open.TryGetValue(id, out var session) && !session.IsExpired;

    /// <summary>Adds a session unless the server already holds as many as it may.</summary>
    public void Add(SegmentationSession session)
    {
        lock (_gate)
        {
            if (_open.Count >= maxSessions)
                throw new LimitExceededException($"The server already has {maxSessions} open sessions: close one (or wait for idle ones to expire).");
            _open[session.Id] = session;
        }
        session.Workspace.SessionOpened();
    }

    /// <summary>The open session with this id, its lease renewed; throws NotFound or LeaseExpired.</summary>
    public SegmentationSession Get(string id, Action<SegmentationSession> onExpired)
    {
        if (string.IsNullOrEmpty(id)) throw new ArgumentException("The request names no session (session_id is empty).");
        if (!IsWellFormed(id))
            throw new ArgumentException($"Session id {UserInput.Quote(id)} is malformed: session ids are 32 lowercase hex digits, as OpenSession returns them.");
        if (_open.TryGetValue(id, out var session))
        {
            if (!session.IsExpired)
            {
                session.Touch();
                return session;
            }
            Expire(session, onExpired);
        }
        if (_expired.TryGetValue(id, out var expiry))
            throw new LeaseExpiredException($"Session {id} expired at {expiry.When:u} after {expiry.LeaseSeconds} s without activity: open a new session (the image stays uploaded).");
        throw new NotFoundException($"No session {UserInput.Quote(id)}: it was never opened on this server, was closed, or the server restarted.");
    }

    /// <summary>Removes a session the client closed; returns it, or null when it was not open.</summary>
    public SegmentationSession? Remove(string id)
    {
        if (!_open.TryRemove(id, out var session)) return null;
        session.Workspace.SessionClosed();
        return session;
    }

    /// <summary>Takes every expired session out; called periodically.</summary>
    public void ExpireIdle(Action<SegmentationSession> onExpired)
    {
        foreach (var session in _open.Values)
            if (session.IsExpired) Expire(session, onExpired);
    }

    void Expire(SegmentationSession session, Action<SegmentationSession> onExpired)
    {
        if (!_open.TryRemove(new KeyValuePair<string, SegmentationSession>(session.Id, session))) return;
        session.Workspace.SessionClosed();
        if (_expired.Count >= RememberedExpiries)
            foreach (var oldest in _expired.OrderBy(e => e.Value.When).Take(RememberedExpiries / 4)) _expired.TryRemove(oldest.Key, out _);
        _expired[session.Id] = (DateTimeOffset.UtcNow, session.LeaseSeconds);
        onExpired(session);
    }
}
