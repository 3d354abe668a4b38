import KubeCore

/// What a reconcile asks for next.
public enum ReconcileResult: Sendable, Equatable {
    /// Nothing scheduled: the next change to the object wakes the reconciler again.
    case done
    /// Reconcile this key again after a delay: timed work such as an expiry is urgent when it
    /// comes due; cleanup that can wait for urgent work is `.background`.
    case requeue(after: Duration, priority: WorkQueuePriority = .urgent)
}

/// A level-based reconciler: it gets only a key, reads the current state (from the cache or
/// the API server) and moves the world toward the desired state. A thrown error retries the
/// key with exponential backoff; a `TerminalError` is recorded and not retried.
public protocol Reconciler: Sendable {
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// An error that retrying cannot fix (invalid spec, forbidden by policy).
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
