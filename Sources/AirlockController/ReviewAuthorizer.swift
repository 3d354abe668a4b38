import AirlockAPI
import KubeClient
import KubeCore

/// Asks the API server (SubjectAccessReview) whether a reviewer may `approve`
/// `actionrequests.airlock.dev` in a namespace. Asked once per review, when it is judged; the
/// verdict is stored with the request, so nothing depends on remembering the answer.
public struct ReviewAuthorizer: Sendable {
    private let client: KubernetesClient

    public init(client: KubernetesClient) {
        self.client = client
    }

    public func mayApprove(_ reviewer: Identity, namespace: String, request: String) async throws -> Bool {
        let review = SubjectAccessReview(
            user: reviewer.username, groups: reviewer.groups, uid: reviewer.uid,
            resourceAttributes: ResourceAttributes(
                namespace: namespace, verb: AirlockConstants.approveVerb, group: AirlockConstants.group,
                version: AirlockConstants.version, resource: ActionRequest.plural, name: request))
        return try await client.create(review).status?.allowed ?? false
    }
}
