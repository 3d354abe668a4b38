import Foundation
import KubeCore

/// Settings of leader election on a `coordination.k8s.io/v1` Lease.
public struct LeaderElectionConfiguration: Sendable {
    public var leaseName: String
    public var namespace: String
    /// Unique per process: pod name or hostname plus a random suffix.
    public var identity: String
    /// How long a lease is valid after its last renewal (default 15 s).
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives up leading (default 10 s).
    public var renewDeadline: Duration
    /// Pause between attempts to acquire or renew (default 2 s).
    public var retryPeriod: Duration
    /// Holders whose identity starts with this are earlier incarnations of this process (the
    /// same pod, its container restarted): necessarily dead, so their Lease is taken over at
    /// once instead of after `leaseDuration`. Set only where the prefix is unique to one
    /// running process: `<POD_NAME>_` in a pod (see ``defaultPredecessorPrefix()``).
    public var predecessorPrefix: String?

    public init(
        leaseName: String, namespace: String, identity: String = LeaderElectionConfiguration.defaultIdentity(),
        leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2),
        predecessorPrefix: String? = LeaderElectionConfiguration.defaultPredecessorPrefix()
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.predecessorPrefix = predecessorPrefix
    }

    /// `$POD_NAME` or the hostname, plus a random suffix.
    public static func defaultIdentity() -> String {
        let base = ProcessInfo.processInfo.environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        return base + "_" + String(UUID().uuidString.prefix(8)).lowercased()
    }

    /// `<POD_NAME>_` in a pod, where one controller process runs at a time; nil elsewhere (two
    /// processes on one host share a hostname).
    public static func defaultPredecessorPrefix() -> String? {
        ProcessInfo.processInfo.environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 + "_" }
    }
}

/// What a candidate does with the Lease it just read. Pure, so every case is unit-tested.
public enum LeaseDecision: Equatable, Sendable {
    /// No Lease yet: create it holding it.
    case create(Lease.Spec)
    /// Write this spec with the read resourceVersion (acquire, take over, or renew).
    case update(Lease.Spec)
    /// Someone else holds a valid lease.
    case wait(holder: String)

    /// Decides for `identity` given the current Lease (nil when absent) at `now`. A holder
    /// whose identity starts with `predecessorPrefix` is an earlier incarnation of ours: taken
    /// over at once.
    public static func decide(
        lease: Lease?, identity: String, now: Date, leaseDuration: Duration, predecessorPrefix: String? = nil
    ) -> LeaseDecision {
        let seconds = Int(leaseDuration.components.seconds)
        guard let lease else {
            return .create(
                Lease.Spec(
                    holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now,
                    leaseTransitions: 0))
        }
        let spec = lease.spec ?? Lease.Spec()
        let holder = spec.holderIdentity ?? ""
        if holder == identity {
            var renewed = spec
            renewed.renewTime = now
            renewed.leaseDurationSeconds = seconds
            return .update(renewed)
        }
        let validFor = Double(spec.leaseDurationSeconds ?? seconds)
        let lastRenewal = spec.renewTime ?? spec.acquireTime ?? .distantPast
        let predecessor = predecessorPrefix.map { !$0.isEmpty && holder.hasPrefix($0) } ?? false
        if !holder.isEmpty, !predecessor, now.timeIntervalSince(lastRenewal) < validFor {
            return .wait(holder: holder)
        }
        return .update(
            Lease.Spec(
                holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now,
                leaseTransitions: (spec.leaseTransitions ?? 0) + (holder.isEmpty ? 0 : 1)))
    }
}
