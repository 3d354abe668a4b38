import KubeCore

/// The list-then-watch protocol of a Kubernetes watcher, as a value type without I/O.
///
/// The driver performs the I/O and feeds every outcome back in; each input returns what to
/// do next. A driver loop looks like this:
///
/// ```swift
/// var machine = WatcherStateMachine<Pod>()
/// var action = machine.start()
/// while !Task.isCancelled {
///     switch action {
///     case .list(let token):
///         do {
///             let page = try await client.list(..., limit: 500, continue: token)
///             action = machine.listPageReceived(
///                 page.items, resourceVersion: page.metadata.resourceVersion ?? "",
///                 continue: page.metadata.continue)
///         } catch { action = machine.listFailed(error.isGone ? .gone : .other) }
///     case .replace(let objects, let resourceVersion):
///         writer.apply(.replace(objects))
///         action = .watch(from: resourceVersion)
///     case .watch(let resourceVersion):
///         do {
///             for try await event in try await client.watch(..., resourceVersion: resourceVersion) {
///                 if let output = machine.watchEventReceived(event) { writer.apply(output) }
///             }
///             action = machine.watchEnded()
///         } catch { action = machine.watchFailed(error.isGone ? .gone : .other) }
///     case .sleep(let delay):
///         try await clock.sleep(for: delay)
///         action = machine.backoffElapsed()
///     }
/// }
/// ```
///
/// Behaviour:
/// - A list may come in pages (`continue` tokens); the pages are accumulated and only the last
///   one produces `.replace(all objects, thenWatchFrom: list resourceVersion)`, so the consumer
///   sees one consistent snapshot and can compute deletions it missed while disconnected.
/// - Each watch event (bookmarks included) moves the resource version to resume from.
/// - A watch that ends cleanly is reopened at once from the last resource version; if it ended
///   without delivering a single event, the reopen is delayed by the backoff (a server that
///   closes watches at once must not be hammered).
/// - 410 Gone on a watch (the resource version was compacted away) re-lists from scratch at
///   once; 410 on a list page (the continue token expired) restarts the list.
/// - Any other error backs off (`.sleep`), then retries what failed: the same list page, or the
///   watch from the last resource version. The first successful list page or watch event
///   resets the backoff.
/// - An input that does not fit the current state (a driver bug) is answered with a fresh
///   list: re-listing always converges.
public struct WatcherStateMachine<Object: KubeResource>: Sendable {
    /// What the driver does next.
    public enum Action: Sendable {
        /// List one page (`continue: nil` for the first page) and call `listPageReceived` or
        /// `listFailed`.
        case list(continue: String?)
        /// Hand `.replace(objects)` to the consumer, then open a watch from the resource version.
        case replace([Object], thenWatchFrom: String)
        /// Open a watch from this resource version; feed every event to `watchEventReceived`,
        /// then call `watchEnded` or `watchFailed`.
        case watch(from: String)
        /// Wait this long, then call `backoffElapsed`.
        case sleep(Duration)
    }

    /// Why a list or watch request failed, as far as the watcher cares.
    public enum Failure: Sendable, Hashable {
        /// 410 Gone / Expired: the resource version or continue token is too old.
        case gone
        /// Anything else: transport errors, 5xx, 429, forbidden, undecodable answers.
        case other
    }

    /// Where the watcher stands.
    public enum State: Sendable {
        /// Not started.
        case empty
        /// Listing: the next page's continue token (nil: first page) and the items so far.
        case listing(continue: String?, items: [Object])
        /// Watching (or about to): the resource version to resume from.
        case watching(resourceVersion: String)
        /// Waiting out a backoff delay before resuming.
        case backingOff(Duration, resume: Resume)
    }

    /// What to retry once a backoff delay has elapsed.
    public enum Resume: Sendable {
        /// The list page with this continue token, keeping the items listed so far.
        case list(continue: String?, items: [Object])
        /// The watch from this resource version.
        case watch(resourceVersion: String)
    }

    public private(set) var state: State = .empty
    /// The backoff used after failures.
    public private(set) var backoff: Backoff
    /// Events (bookmarks included) received since the current watch was opened.
    private var eventsSinceWatchOpened = 0

    public init(backoff: Backoff = Backoff()) {
        self.backoff = backoff
    }

    /// The resource version a watch would resume from, once the first list completed.
    public var resourceVersion: String? {
        switch state {
        case .watching(let resourceVersion), .backingOff(_, .watch(let resourceVersion)):
            return resourceVersion
        case .empty, .listing, .backingOff(_, .list):
            return nil
        }
    }

    /// Starts (or restarts) with a fresh list.
    public mutating func start() -> Action {
        relist()
    }

    /// One list page arrived. `resourceVersion` is the list's (`metadata.resourceVersion`);
    /// `continue` is the token of the next page (nil or empty on the last page).
    public mutating func listPageReceived(
        _ items: [Object], resourceVersion: String, continue token: String?
    ) -> Action {
        guard case .listing(_, var accumulated) = state else { return relist() }
        backoff.reset()
        accumulated.append(contentsOf: items)
        if let token, !token.isEmpty {
            state = .listing(continue: token, items: accumulated)
            return .list(continue: token)
        }
        state = .watching(resourceVersion: resourceVersion)
        eventsSinceWatchOpened = 0
        return .replace(accumulated, thenWatchFrom: resourceVersion)
    }

    /// A list page request failed.
    public mutating func listFailed(_ failure: Failure) -> Action {
        guard case .listing(let token, let items) = state else { return relist() }
        if failure == .gone, token != nil {
            // The continue token expired: the pages so far belong to a version that is gone.
            return relist()
        }
        return backOff(resume: .list(continue: token, items: items))
    }

    /// One event arrived on the watch. Returns what to hand to the consumer, or nil for a
    /// bookmark (which only moves the resource version).
    public mutating func watchEventReceived(_ event: WatchEvent<Object>) -> WatcherEvent<Object>? {
        guard case .watching(let current) = state else {
            // Not watching (a driver bug): drop the event; the re-list that follows will
            // bring the consumer up to date.
            state = .listing(continue: nil, items: [])
            return nil
        }
        backoff.reset()
        eventsSinceWatchOpened += 1
        if let version = event.resourceVersion, !version.isEmpty, version != current {
            state = .watching(resourceVersion: version)
        }
        if case .bookmark = event { return nil }
        return .event(event)
    }

    /// The watch stream ended without an error (server timeout, connection closed cleanly).
    public mutating func watchEnded() -> Action {
        guard case .watching(let resourceVersion) = state else { return relist() }
        guard eventsSinceWatchOpened > 0 else {
            return backOff(resume: .watch(resourceVersion: resourceVersion))
        }
        eventsSinceWatchOpened = 0
        return .watch(from: resourceVersion)
    }

    /// The watch request or stream failed.
    public mutating func watchFailed(_ failure: Failure) -> Action {
        guard case .watching(let resourceVersion) = state else { return relist() }
        switch failure {
        case .gone: return relist()
        case .other: return backOff(resume: .watch(resourceVersion: resourceVersion))
        }
    }

    /// The delay of the last `.sleep` has passed.
    public mutating func backoffElapsed() -> Action {
        guard case .backingOff(_, let resume) = state else { return relist() }
        switch resume {
        case .list(let token, let items):
            state = .listing(continue: token, items: items)
            return .list(continue: token)
        case .watch(let resourceVersion):
            state = .watching(resourceVersion: resourceVersion)
            eventsSinceWatchOpened = 0
            return .watch(from: resourceVersion)
        }
    }

    private mutating func relist() -> Action {
        state = .listing(continue: nil, items: [])
        eventsSinceWatchOpened = 0
        return .list(continue: nil)
    }

    private mutating func backOff(resume: Resume) -> Action {
        let delay = backoff.next()
        state = .backingOff(delay, resume: resume)
        return .sleep(delay)
    }
}

extension WatcherStateMachine.Action: Equatable where Object: Equatable {}
extension WatcherStateMachine.State: Equatable where Object: Equatable {}
extension WatcherStateMachine.Resume: Equatable where Object: Equatable {}
