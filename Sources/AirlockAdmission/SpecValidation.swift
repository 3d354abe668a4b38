import AirlockAPI
import KubeCore

/// The checks Airlock makes on an ActionRequest or ActionReview spec at admission, each
/// problem a sentence naming its field (`spec.permissions[0].verbs must not be empty`).
///
/// Pure. The same rules are in the CRD schema (and its CEL rules, enforced from Kubernetes
/// 1.25); the webhook is what enforces them on older clusters and phrases them for people.
public enum SpecValidation {
    // MARK: Raw JSON (before the typed decode)

    /// Problems a typed decode would report badly: values of closed sets (enums), checked on
    /// the raw object so the message lists what is allowed.
    static func rawProblems(requestObject object: JSONValue) -> [String] {
        var problems = enumProblem(
            object[path: ["spec", "credential"]], field: "spec.credential",
            allowed: CredentialMode.allCases.map(\.rawValue))
        problems += enumProblem(
            object[path: ["spec", "roleRef", "kind"]], field: "spec.roleRef.kind",
            allowed: TargetRoleRef.Kind.allCases.map(\.rawValue))
        return problems
    }

    static func rawProblems(reviewObject object: JSONValue) -> [String] {
        enumProblem(
            object[path: ["spec", "decision"]], field: "spec.decision", allowed: ReviewDecision.allCases.map(\.rawValue)
        )
    }

    private static func enumProblem(_ value: JSONValue?, field: String, allowed: [String]) -> [String] {
        guard let value, value != .null else { return [] }
        let list = allowed.joined(separator: ", ")
        guard case .string(let text) = value else { return ["\(field) must be one of \(list)"] }
        return allowed.contains(text) ? [] : ["\(field) must be one of \(list) (got \"\(text)\")"]
    }

    // MARK: ActionRequest

    /// Every problem of an ActionRequest spec; empty when it is valid.
    public static func problems(in spec: ActionRequestSpec) -> [String] {
        var problems: [String] = []
        if spec.reason.allSatisfy(\.isWhitespace) { problems.append("spec.reason must not be empty") }
        if spec.duration.seconds <= 0 {
            problems.append("spec.duration must be positive (got \(spec.duration))")
        }
        if spec.permissions == nil && spec.roleRef == nil {
            problems.append("spec.permissions or spec.roleRef (or both) is required")
        }
        if let permissions = spec.permissions {
            if permissions.isEmpty { problems.append("spec.permissions must not be empty when set") }
            for (index, rule) in permissions.enumerated() {
                problems += self.problems(in: rule, field: "spec.permissions[\(index)]")
            }
        }
        if let roleRef = spec.roleRef {
            if roleRef.name.isEmpty { problems.append("spec.roleRef.name must not be empty") }
            if let namespace = roleRef.namespace, namespace.isEmpty {
                problems.append(
                    "spec.roleRef.namespace must not be empty (omit it only for a ClusterRole bound cluster-wide)")
            } else if roleRef.kind == .role && roleRef.namespace == nil {
                problems.append("spec.roleRef.namespace is required for a Role")
            }
        }
        if let subject = spec.subject {
            if spec.effectiveCredential != .subject {
                problems.append("spec.subject applies only with spec.credential: Subject")
            }
            if subject.kind != "User" && subject.kind != "ServiceAccount" {
                problems.append("spec.subject.kind must be one of User, ServiceAccount (got \"\(subject.kind)\")")
            }
            if subject.name.isEmpty { problems.append("spec.subject.name must not be empty") }
            if subject.kind == "ServiceAccount" && (subject.namespace ?? "").isEmpty {
                problems.append("spec.subject.namespace is required for a ServiceAccount")
            }
        }
        return problems
    }

    /// Problems of one permission rule at `field` (`spec.permissions[0]`).
    public static func problems(in rule: PermissionRule, field: String) -> [String] {
        var problems: [String] = []
        if let namespace = rule.namespace, namespace.isEmpty {
            problems.append("\(field).namespace must not be empty (omit it for a cluster-scoped rule)")
        }
        if rule.apiGroups.isEmpty {
            problems.append("\(field).apiGroups must not be empty (use \"\" for the core group)")
        }
        problems += listProblems(rule.resources, field: "\(field).resources")
        problems += listProblems(rule.verbs, field: "\(field).verbs")
        if let names = rule.resourceNames {
            if names.isEmpty {
                problems.append("\(field).resourceNames must not be empty when set (omit it to cover every object)")
            }
            problems += emptyEntries(names, field: "\(field).resourceNames")
        }
        return problems
    }

    private static func listProblems(_ list: [String], field: String) -> [String] {
        list.isEmpty ? ["\(field) must not be empty"] : emptyEntries(list, field: field)
    }

    private static func emptyEntries(_ list: [String], field: String) -> [String] {
        list.enumerated().filter { $0.element.isEmpty }.map { "\(field)[\($0.offset)] must not be empty" }
    }

    // MARK: ActionReview

    /// Every problem of an ActionReview spec (except whether its request exists); empty when
    /// it is valid.
    public static func problems(in spec: ActionReviewSpec) -> [String] {
        var problems: [String] = []
        if spec.request.isEmpty { problems.append("spec.request must not be empty (name the ActionRequest reviewed)") }
        if let duration = spec.duration {
            if duration.seconds <= 0 { problems.append("spec.duration must be positive (got \(duration))") }
            if spec.decision != .approve {
                problems.append("spec.duration applies only to Approve (got decision \(spec.decision.rawValue))")
            }
        }
        if let onBehalfOf = spec.onBehalfOf {
            if onBehalfOf.channel.isEmpty { problems.append("spec.onBehalfOf.channel must not be empty") }
            if onBehalfOf.externalUser.isEmpty { problems.append("spec.onBehalfOf.externalUser must not be empty") }
        }
        return problems
    }
}
