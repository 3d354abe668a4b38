import KubeClient
import Logging
import ServiceLifecycle
import Synchronization

/// Runs controllers as one `Service`: informers on every replica (so standbys are ready with
/// warm caches), workers only on the leader when a `LeaderElector` is given.
///
/// On graceful shutdown (SIGTERM): intake stops, in-flight reconciles get up to
/// `shutdownGracePeriod` to finish, then the workers are cancelled, the Lease released and
/// the informers stopped.
public final class ControllerManager: Service {
    private let controllers: [any ManagedController]
    private let elector: LeaderElector?
    private let shutdownGracePeriod: Duration
    private let logger: Logger

    public init(
        controllers: [any ManagedController], elector: LeaderElector?, shutdownGracePeriod: Duration = .seconds(10),
        logger: Logger
    ) {
        self.controllers = controllers
        self.elector = elector
        self.shutdownGracePeriod = shutdownGracePeriod
        self.logger = logger
    }

    /// Ready once every controller's caches have synced (leader or not).
    public var isReady: Bool { controllers.allSatisfy(\.hasSynced) }

    public func run() async {
        let controllers = self.controllers
        let informers = Task {
            await withDiscardingTaskGroup { group in
                for controller in controllers { group.addTask { await controller.runInformers() } }
            }
        }
        let runWorkers: @Sendable () async -> Void = {
            await withDiscardingTaskGroup { group in
                for controller in controllers { group.addTask { await controller.runWorkers() } }
            }
        }
        let leading: Task<Void, Never>
        if let elector {
            leading = Task { await elector.run(whileLeading: runWorkers) }
        } else {
            leading = Task { await runWorkers() }
        }
        let grace = shutdownGracePeriod
        let logger = self.logger
        let elector = self.elector
        let deadline = Mutex<Task<Void, Never>?>(nil)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await leading.value
            } onGracefulShutdown: {
                logger.info("shutting down: no new work; in-flight reconciles get up to \(grace)")
                Task {
                    for controller in controllers { await controller.stopIntake() }
                    // A standby has nothing in flight: stop at once.
                    if let elector, await !elector.isLeader { leading.cancel() }
                }
                deadline.withLock {
                    $0 = Task {
                        try? await Task.sleep(for: grace)
                        leading.cancel()
                    }
                }
            }
        } onCancel: {
            leading.cancel()
        }
        deadline.withLock { $0?.cancel() }
        informers.cancel()
        await informers.value
    }
}
