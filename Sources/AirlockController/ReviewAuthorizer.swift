import AirlockAPI
import KubeClient
import KubeCore
import Synchronization

/// Asks the API server (SubjectAccessReview) whether a reviewer may `approve`
/// `actionrequests.airlock.dev` in a namespace. Answers are cached per review uid: a review is
/// judged once, with the RBAC in force when it was first seen.
public final class ReviewAuthorizer: Sendable {
    private let client: KubernetesClient
    private let cache = Mutex<[String: Bool]>([:])

    public init(client: KubernetesClient) {
        self.client = client
    }

    public func mayApprove(
        _ reviewer: Identity, namespace: String, request: String, reviewUID: String
    ) async throws -> Bool {
        if let known = cache.withLock({ $0[reviewUID] }) { return known }
        let review = SubjectAccessReview(
            user: reviewer.username, groups: reviewer.groups, uid: reviewer.uid,
            resourceAttributes: ResourceAttributes(
                namespace: namespace, verb: AirlockConstants.approveVerb, group: AirlockConstants.group,
                version: AirlockConstants.version, resource: ActionRequest.plural, name: request))
        let allowed = try await client.create(review).status?.allowed ?? false
        cache.withLock {
            if $0.count > 50_000 { $0.removeAll() }
            $0[reviewUID] = allowed
        }
        return allowed
    }
}
