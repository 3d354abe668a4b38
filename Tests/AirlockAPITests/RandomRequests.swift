import AirlockAPI
import Foundation
import KubeCore

/// ActionRequests with every field present or absent at random (seeded, so a failure repeats):
/// strings with quotes, backslashes, control characters, HTML characters and non-ASCII;
/// timestamps to the microsecond; empty and long lists.
final class RandomRequests {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    func request() -> ActionRequest {
        var metadata = ObjectMeta(
            name: maybe(text), namespace: maybe(text), labels: maybe { map() }, annotations: maybe { map() },
            ownerReferences: maybe { list { owner() } }, finalizers: maybe { list(text) })
        metadata.generateName = maybe(text)
        metadata.uid = maybe(text)
        metadata.resourceVersion = maybe(text)
        metadata.generation = maybe(int64)
        metadata.creationTimestamp = maybe(date)
        metadata.deletionTimestamp = maybe(date)
        var request = ActionRequest(metadata: metadata, spec: spec(), status: maybe(status))
        request.apiVersion = maybe(text)
        request.kind = maybe(text)
        return request
    }

    func spec() -> ActionRequestSpec {
        ActionRequestSpec(
            reason: text(), ticket: maybe(text), duration: duration(),
            permissions: maybe {
                list {
                    PermissionRule(
                        namespace: maybe(text), apiGroups: list(text), resources: list(text), verbs: list(text),
                        resourceNames: maybe { list(text) })
                }
            },
            roleRef: maybe {
                TargetRoleRef(kind: pick(TargetRoleRef.Kind.allCases), name: text(), namespace: maybe(text))
            },
            credential: maybe { pick(CredentialMode.allCases) },
            subject: maybe { RBACSubject(kind: text(), name: text(), namespace: maybe(text), apiGroup: maybe(text)) },
            requester: maybe {
                Identity(username: text(), uid: maybe(text), groups: maybe { list(text) }, signature: maybe(text))
            })
    }

    func status() -> ActionRequestStatus {
        var status = ActionRequestStatus(
            phase: maybe { pick(ActionRequestPhase.allCases) },
            conditions: maybe {
                list {
                    Condition(
                        type: text(), status: text(), observedGeneration: maybe(int64), lastTransitionTime: date(),
                        reason: text(), message: text())
                }
            },
            decision: maybe(decision), reviews: maybe { list(review) }, grantedAt: maybe(date), expiresAt: maybe(date),
            pendingDeadline: maybe(date),
            grants: maybe {
                list {
                    GrantRef(apiVersion: text(), kind: text(), namespace: maybe(text), name: text(), uid: maybe(text))
                }
            },
            credentialSecretName: maybe(text), notifications: maybe { list(notification) },
            observedGeneration: maybe(int64), rejectedReviews: maybe(int), requesterOwner: maybe(text),
            roleSnapshot: maybe {
                RoleSnapshot(
                    kind: pick(TargetRoleRef.Kind.allCases), name: text(), namespace: maybe(text),
                    rules: list {
                        PolicyRule(
                            apiGroups: maybe { list(text) }, resources: maybe { list(text) }, verbs: list(text),
                            resourceNames: maybe { list(text) }, nonResourceURLs: maybe { list(text) })
                    })
            })
        status.rejectedReviews = maybe(int)
        return status
    }

    func decision() -> PolicyDecision {
        var decision = PolicyDecision(
            policies: maybe { list(text) }, outcome: pick(DecisionOutcome.allCases), requiredApprovals: maybe(int),
            maxDuration: maybe(duration), reason: maybe(text), message: maybe(text),
            reviewers: maybe { list { ReviewerSet(users: maybe { list(text) }, groups: maybe { list(text) }) } },
            pendingTimeout: maybe(duration), at: maybe(date))
        // Set directly: the initializer would turn empty lists into nil, which `Codable` does not.
        var notify = NotificationRecipients()
        notify.slackChannels = maybe { list(text) }
        notify.teamsConversations = maybe { list { TeamsConversationRef(serviceUrl: text(), conversationId: text()) } }
        notify.teamsWebhookSecrets = maybe { list { SecretKeyRef(name: text(), key: text()) } }
        notify.webhookSecrets = maybe { list { SecretKeyRef(name: text(), key: text()) } }
        decision.notify = maybe { notify }
        return decision
    }

    func review() -> ReviewRecord {
        ReviewRecord(
            review: maybe(text), reviewer: text(), decision: pick(ReviewDecision.allCases), at: date(),
            channel: text(), comment: maybe(text), duration: maybe(duration), counted: bool(),
            rejectedReason: maybe(text))
    }

    func notification() -> NotificationState {
        NotificationState(
            channel: text(), target: maybe(text), messageRef: maybe(text), delivered: bool(), attempts: int(),
            lastAttemptAt: maybe(date), lastError: maybe(text), failures: maybe(int), retryAt: maybe(date),
            inDoubt: maybe(bool), card: maybe(text), replies: maybe { list(text) },
            repliesInDoubt: maybe { list(text) }, events: maybe { list(text) })
    }

    func owner() -> OwnerReference {
        OwnerReference(
            apiVersion: text(), kind: text(), name: text(), uid: text(), controller: maybe(bool),
            blockOwnerDeletion: maybe(bool))
    }

    // MARK: Scalars

    private static let pieces = [
        "", "a", "prod", "agents", "db-0", "airlock.dev/owner", "Approve", "quote \" here", "back\\slash",
        "line\nbreak", "tab\there", "\u{01}\u{1F}\u{7F}", "<script>&amp;</script>", "ünïcødé", "日本語", "🔐 emoji",
        "a/b", "1h30m", "system:serviceaccount:agents:bot", "\u{2028}\u{2029}", "é", "e\u{301}",
    ]

    func text() -> String {
        (0..<next(3)).map { _ in pick(Self.pieces) }.joined()
    }

    func map() -> [String: String] {
        Dictionary(list { (text(), text()) }, uniquingKeysWith: { first, _ in first })
    }

    func int() -> Int { pick([0, 1, 2, 32, 4096, -1, Int(Int32.max), Int.max, Int.min]) }
    func int64() -> Int64 { Int64(int()) }
    func bool() -> Bool { next(2) == 0 }

    func duration() -> KubeDuration {
        KubeDuration(seconds: pick([0, 1, 59, 60, 3600, 5400, 86_400 * 7, 3661]))
    }

    /// Whole microseconds, as Kubernetes keeps them.
    func date() -> Date {
        let micros = Int64(next(4_000_000_000)) * 1_000_000 + Int64(next(1_000_000))
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    // MARK: Shapes

    func maybe<T>(_ make: () -> T) -> T? {
        next(3) == 0 ? nil : make()
    }

    func list<T>(_ make: () -> T) -> [T] {
        (0..<next(4)).map { _ in make() }
    }

    func pick<T>(_ choices: [T]) -> T { choices[next(choices.count)] }

    /// SplitMix64.
    func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
