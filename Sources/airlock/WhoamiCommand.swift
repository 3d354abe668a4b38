import AirlockAPI
import AirlockCLI
import ArgumentParser
import Foundation
import KubeClient
import KubeCore

/// What `airlock whoami` prints.
struct WhoamiResult: Codable {
    var username: String
    var uid: String?
    var groups: [String]
    var namespace: String
    /// Whether this identity may create ActionRequests in `namespace`.
    var canRequest: Bool
    /// Whether the answer came from Airlock's admission webhook (what it stamps), or from the
    /// API server's SelfSubjectReview.
    var source: String
    /// Whether Airlock's webhook signed the identity (false: the webhook is not installed here).
    var stampedByAirlock: Bool
}

/// `airlock whoami`: the identity Airlock will stamp on your requests.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the identity Airlock stamps on your requests (a dry-run create, else SelfSubjectReview).")

    @OptionGroup var options: CLIOptions

    func run() async throws {
        let context = try CLIContext.make(options)
        try await context.run { context in
            let result = try await Self.whoami(client: context.client, namespace: context.namespace)
            var text = "\(result.username)"
            if let uid = result.uid { text += " (uid \(uid))" }
            text += "\ngroups: \(result.groups.isEmpty ? "none" : result.groups.joined(separator: ", "))"
            text += "\nnamespace \(result.namespace): "
            text +=
                result.canRequest
                ? (result.stampedByAirlock
                    ? "may create requests; Airlock's webhook stamps this identity"
                    : "may create requests, but Airlock's webhook did not stamp it (is Airlock installed here?)")
                : "may NOT create requests (ask for the airlock-requester role)"
            try context.emit(result, text: text)
        }
    }

    /// A dry-run create of an ActionRequest (nothing is stored, the webhooks still run): the
    /// stamped `spec.requester` is exactly what Airlock will record. When that is forbidden,
    /// the API server's SelfSubjectReview (Kubernetes 1.27+) says who the caller is.
    static func whoami(client: KubernetesClient, namespace: String) async throws -> WhoamiResult {
        let probe = ActionRequest(
            metadata: ObjectMeta(name: "airlock-whoami", namespace: namespace),
            spec: ActionRequestSpec(
                reason: "airlock whoami (dry run, never stored)", duration: KubeDuration(seconds: 60),
                permissions: [
                    PermissionRule(
                        namespace: namespace, apiGroups: [""], resources: ["configmaps"], verbs: ["get"],
                        resourceNames: ["airlock-whoami"])
                ], credential: .subject))
        var request = try RequestBuilder<ActionRequest>().create(probe, namespace: namespace)
        request.query.append(("dryRun", "All"))
        let answer = try await api("dry-run create actionrequest in \(namespace)") { try await client.raw(request) }
        if (200..<300).contains(answer.status) {
            let stamped = try KubeJSON.decode(ActionRequest.self, from: answer.body)
            let requester = stamped.spec.requester
            return WhoamiResult(
                username: requester?.username ?? "(not stamped)", uid: requester?.uid, groups: requester?.groups ?? [],
                namespace: namespace, canRequest: true, source: "admission webhook (dry run)",
                stampedByAirlock: requester?.signature != nil)
        }
        let status = try? KubeJSON.decode(Status.self, from: answer.body)
        guard answer.status == 403 else {
            throw CLIFailure.api(
                KubernetesError(
                    status: status
                        ?? Status(
                            message: String(decoding: answer.body.prefix(200), as: UTF8.self), reason: nil,
                            code: answer.status), httpCode: answer.status),
                doing: "dry-run create actionrequest in \(namespace)")
        }
        for version in ["v1", "v1beta1", "v1alpha1"] {
            let review = KubeRequest(
                method: .post, path: "/apis/authentication.k8s.io/\(version)/selfsubjectreviews",
                body: Data(#"{"apiVersion":"authentication.k8s.io/\#(version)","kind":"SelfSubjectReview"}"#.utf8),
                contentType: "application/json")
            let reply = try await api("SelfSubjectReview") { try await client.raw(review) }
            guard (200..<300).contains(reply.status) else { continue }
            let decoded = try KubeJSON.decode(SelfSubjectReviewReply.self, from: reply.body)
            let info = decoded.status?.userInfo
            return WhoamiResult(
                username: info?.username ?? "", uid: info?.uid, groups: info?.groups ?? [], namespace: namespace,
                canRequest: false, source: "SelfSubjectReview", stampedByAirlock: false)
        }
        throw CLIFailure(
            .apiError,
            "you may not create ActionRequests in \(namespace) (\(status?.message ?? "forbidden")), and this API server"
                + " has no SelfSubjectReview to say who you are")
    }
}

/// `authentication.k8s.io SelfSubjectReview`'s answer.
private struct SelfSubjectReviewReply: Decodable {
    struct Status: Decodable { var userInfo: UserInfo? }
    var status: Status?
}
