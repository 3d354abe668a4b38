import CAirlockExecutor
import NIOCore
import NIOPosix
import Synchronization

/// Runs Swift concurrency's global jobs on NIO's event loops instead of Dispatch's pool.
///
/// Every `await` on network I/O otherwise crosses threads twice: the answer arrives on an
/// event loop and the task resumes on the cooperative pool, which on an idle machine means
/// a futex wake-up and a context switch per hop. On the event loops a task resumes on the
/// loop that woke it. NIO's own installer finds the hook with `dlsym`, which a statically
/// linked runtime does not answer; this one reaches it through the linker.
public enum EventLoopExecutor {
    private typealias Enqueue = @convention(thin) (UnownedJob) -> Void
    private typealias Hook = @convention(thin) (UnownedJob, Enqueue) -> Void

    private static let installed = Atomic<Bool>(false)

    /// Whether ``install()`` set the hook in this process.
    public static var isInstalled: Bool { installed.load(ordering: .acquiring) }

    /// Installs the hook unless one is set; call it first thing in a process. True when set.
    @discardableResult
    public static func install() -> Bool {
        let slot = airlock_enqueue_global_hook()
        guard slot.pointee == nil else { return false }
        defer { installed.store(true, ordering: .releasing) }
        let hook: Hook = { job, _ in
            // `any()` is the current loop when called on one: no thread switch.
            MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
        }
        withUnsafeTemporaryAllocation(of: Hook.self, capacity: 1) { buffer in
            buffer.baseAddress!.initialize(to: hook)
            buffer.baseAddress!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 1) {
                slot.pointee = $0.pointee
            }
        }
        return true
    }
}
