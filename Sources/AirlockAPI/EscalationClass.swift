/// Access that lets a grantee act as *other* identities, which outlives or escapes the grant.
/// Denied unless a RequireApproval policy opts in (`ApprovalPolicy.spec.allowEscalation`), and
/// never auto-approved.
public enum EscalationClass: String, Codable, Sendable, Hashable, CaseIterable {
    /// Creating or changing workloads (pods, deployments, jobs, ...): their code runs as any
    /// ServiceAccount of the namespace, and they keep running after the grant ends.
    case workloadCreation = "WorkloadCreation"
    /// `pods/exec`, `pods/attach`, `pods/portforward`, `pods/ephemeralcontainers`: running
    /// commands inside other workloads, with their identities and secrets.
    case podExec = "PodExec"
    /// `nodes/proxy`: the kubelet API, which runs commands in any pod on the node.
    case nodeProxy = "NodeProxy"
    /// Creating Secrets: a `kubernetes.io/service-account-token` Secret is a token for any
    /// ServiceAccount of the namespace that outlives the grant.
    case secretCreation = "SecretCreation"
}
