import KubeClient
import KubeCore
import Logging
import Metrics
import Synchronization

/// Keeps a `Store` of one resource type current by driving a `WatcherStateMachine` with a
/// `KubernetesClient` (paginated list, then watch with bookmarks; 410 re-lists, errors back
/// off), and tells its handlers about every change, in order.
///
/// Handlers are async and awaited one by one, so a full work queue slows the watch down
/// (the stream is pull-based) instead of buffering without bound.
public final class Informer<Object: KubeResource>: Sendable {
    public typealias Handler = @Sendable (StoreChange<Object>) async -> Void

    /// The cache; readers use it freely.
    public let store: Store<Object>
    private let writer: StoreWriter<Object>
    private let client: KubernetesClient
    private let namespace: String?
    private let labelSelector: String?
    private let fieldSelector: String?
    private let pageSize: Int
    private let logger: Logger
    private let handlers = Mutex<[Handler]>([])
    private let sleep: @Sendable (Duration) async throws -> Void

    /// An informer over `Object` in `namespace` (nil: all namespaces, or cluster scope).
    public init(
        client: KubernetesClient, _ type: Object.Type = Object.self, namespace: String? = nil,
        labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500,
        clock: some Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.sleep = { try await clock.sleep(for: $0) }
        self.writer = StoreWriter()
        self.store = writer.store
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        var logger = logger
        logger[metadataKey: "resource"] = "\(Object.qualifiedPlural)"
        self.logger = logger
    }

    /// Adds a change handler; add handlers before `run()`.
    public func addHandler(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    /// Lists and watches until the task is cancelled.
    public func run() async {
        var machine = WatcherStateMachine<Object>()
        var action = machine.start()
        let restarts = Counter(
            label: "airlock_watch_restarts_total", dimensions: [("resource", Object.qualifiedPlural)])
        while !Task.isCancelled {
            switch action {
            case .list(let token):
                do {
                    let page = try await client.list(
                        Object.self, namespace: namespace,
                        options: ListOptions(
                            labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize, continue: token
                        ))
                    action = machine.listPageReceived(
                        page.items, resourceVersion: page.metadata.resourceVersion ?? "",
                        continue: page.metadata.continue)
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("list failed: \(error)")
                    action = machine.listFailed(Self.failure(error))
                }
            case .replace(let objects, let resourceVersion):
                await deliver(writer.replace(with: objects))
                logger.debug("listed \(objects.count) objects at resourceVersion \(resourceVersion)")
                action = .watch(from: resourceVersion)
            case .watch(let resourceVersion):
                do {
                    let stream = try await client.watch(
                        Object.self, namespace: namespace,
                        options: ListOptions(
                            labelSelector: labelSelector, fieldSelector: fieldSelector,
                            resourceVersion: resourceVersion, timeoutSeconds: Int.random(in: 300...600)))
                    for try await event in stream {
                        if let output = machine.watchEventReceived(event) { await deliver(writer.apply(output)) }
                    }
                    action = machine.watchEnded()
                } catch {
                    if Task.isCancelled { return }
                    restarts.increment()
                    let failure = Self.failure(error)
                    if failure == .gone {
                        logger.info("watch expired (410): re-listing")
                    } else {
                        logger.warning("watch failed: \(error)")
                    }
                    action = machine.watchFailed(failure)
                }
            case .sleep(let delay):
                do { try await sleep(delay) } catch { return }
                action = machine.backoffElapsed()
            }
        }
    }

    private func deliver(_ changes: [StoreChange<Object>]) async {
        guard !changes.isEmpty else { return }
        let handlers = self.handlers.withLock { $0 }
        for change in changes {
            for handler in handlers { await handler(change) }
        }
    }

    static func failure(_ error: any Error) -> WatcherStateMachine<Object>.Failure {
        (error as? KubernetesError)?.isGone == true ? .gone : .other
    }
}
