import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child's exit, asked of the kernel.
///
/// Foundation's `isRunning`, `terminationStatus` and `waitUntilExit()` learn of an exit only
/// when every copy of a socket the child inherited is closed. A process that another thread
/// spawns at the same moment can inherit that socket too, and then the exit goes unnoticed for
/// as long as that other process lives: a watchdog that had exited still looked alive for the
/// whole minute a start waited for it. `waitid` with `WNOWAIT` asks the kernel instead and leaves
/// the status for Foundation to collect.
extension Process {
    /// The exit status (or the number of the signal that ended it); nil while it runs.
    public var exitStatus: Int32? {
        guard isRunning else { return terminationStatus }
        #if canImport(Glibc)
            var info = siginfo_t()
            guard waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
                // ECHILD: Foundation has just collected it and is about to say so.
                return nil
            }
            let exit = info._sifields._sigchld
            return exit.si_pid == processIdentifier ? exit.si_status : nil
        #else
            return nil
        #endif
    }

    /// Whether it has exited.
    public var hasExited: Bool { exitStatus != nil }

    /// Blocks the calling thread until it has exited; reaps nothing.
    public func blockUntilExited() {
        #if canImport(Glibc)
            var info = siginfo_t()
            while isRunning, waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        #else
            waitUntilExit()
        #endif
    }
}
