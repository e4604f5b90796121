namespace Oaims.Service;

// The domain errors of the sidecar. The error-mapping interceptor turns each into its gRPC status code;
// ArgumentException (INVALID_ARGUMENT) and InvalidOperationException (FAILED_PRECONDITION) come from the layers below.

/// <summary>A session, image, workspace or model the request names does not exist (NOT_FOUND).</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>A session's lease ran out: the user was idle longer than its timeout (FAILED_PRECONDITION).</summary>
public sealed class LeaseExpiredException(string message) : Exception(message);

/// <summary>A configured limit would be exceeded: size, sessions, queue (RESOURCE_EXHAUSTED).</summary>
public sealed class LimitExceededException(string message) : Exception(message);

/// <summary>The caller did not present the server's token (UNAUTHENTICATED).</summary>
public sealed class AuthenticationFailedException(string message) : Exception(message);

/// <summary>An upload sent nothing for longer than the idle limit and was given up (ABORTED: start the upload again).</summary>
public sealed class UploadStalledException(string message) : Exception(message);

/// <summary>The server cannot serve yet: it is still loading its models and workspaces (UNAVAILABLE: try again shortly).</summary>
public sealed class StartingException(string message) : Exception(message);

/// <summary>A workspace's worker thread stopped after a fault; its requests cannot run (UNAVAILABLE).</summary>
public sealed class WorkspaceStoppedException(string message) : Exception(message);

/// <summary>The name is already taken, e.g. a workspace (ALREADY_EXISTS).</summary>
public sealed class AlreadyExistsException(string message) : Exception(message);

/// <summary>The request asks for something this server does not offer, e.g. a MONAI Label endpoint OAIMS does not serve (UNIMPLEMENTED).</summary>
public sealed class NotOfferedException(string message) : Exception(message);
