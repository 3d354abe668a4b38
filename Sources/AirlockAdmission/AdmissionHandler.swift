import AirlockAPI
import AirlockIdentity
import Foundation
import KubeCore

/// Airlock's admission logic for ActionRequests and ActionReviews, free of I/O: the HTTPS
/// server decodes the body, calls ``mutate(_:)`` or ``validate(_:)`` and writes the answer.
///
/// - **Mutating** (CREATE): stamps `spec.requester` (ActionRequest) or `spec.reviewer`
///   (ActionReview) from the API server's `userInfo`, overwriting whatever the client sent,
///   and signs it with ``IdentitySigner``; fills `metadata.name` when the client used
///   `generateName` (the signature covers the name, and the API server would only pick one
///   after admission); rejects `spec.onBehalfOf` from anyone but the controller. A review is
///   bound to the request instance it names: the request's uid goes into `spec.requestUID`
///   (signed with the rest), a label and an ownerReference; a review of a request that does
///   not exist is refused.
/// - **Validating** (CREATE, UPDATE): the spec is immutable after creation; on CREATE the
///   spec is well-formed and the stamped identity verifies and is the caller's.
///
/// Malformed input (an AdmissionReview that does not decode, an unexpected kind, a missing
/// object) gets a denying answer with code 400 and a message, never a crash.
public struct AdmissionHandler: Sendable {
    /// The uid of the ActionRequest `name` in `namespace`, or nil when there is none.
    public typealias RequestLookup = @Sendable (_ namespace: String, _ name: String) async throws -> String?

    /// Which of the two webhooks a call is for.
    public enum Webhook: String, Sendable, CaseIterable {
        case mutating
        case validating
    }

    public let signer: IdentitySigner
    /// The controller's own username (`system:serviceaccount:airlock-system:airlock`): the
    /// only identity that may create ActionReviews with `spec.onBehalfOf` (chat reviews).
    public let controllerUsername: String
    let lookUpRequest: RequestLookup
    let now: @Sendable () -> Date
    let nameSuffix: @Sendable () -> String

    /// - Parameters:
    ///   - lookUpRequest: finds an ActionRequest's uid (see ``kubernetesLookup(client:timeout:)``).
    ///   - now: the signing time (tests pass a fixed one).
    ///   - nameSuffix: the random part of a name made from `generateName`.
    public init(
        signer: IdentitySigner, controllerUsername: String, lookUpRequest: @escaping RequestLookup,
        now: @escaping @Sendable () -> Date = { Date() },
        nameSuffix: @escaping @Sendable () -> String = { AdmissionHandler.randomNameSuffix() }
    ) {
        self.signer = signer
        self.controllerUsername = controllerUsername
        self.lookUpRequest = lookUpRequest
        self.now = now
        self.nameSuffix = nameSuffix
    }

    /// The controller's ServiceAccount username.
    public static func serviceAccountUsername(namespace: String, name: String) -> String {
        "system:serviceaccount:\(namespace):\(name)"
    }

    // MARK: Names

    /// The characters the API server uses for `generateName` (no vowels, no look-alikes).
    static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    /// Length of the random part, as the API server's.
    static let nameSuffixLength = 5
    /// Longest name kept from `generateName`, so the result fits 63 characters.
    static let maxGeneratedNameBase = 63 - nameSuffixLength

    /// Five random characters from the API server's `generateName` alphabet.
    public static func randomNameSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<nameSuffixLength).map { _ in nameAlphabet.randomElement(using: &generator)! })
    }

    /// `generateName` (cut to 58 characters) followed by a random suffix.
    func generatedName(from prefix: String) -> String {
        String(prefix.prefix(Self.maxGeneratedNameBase)) + nameSuffix()
    }

    // MARK: Entry point for raw bodies

    /// An HTTP answer: status and JSON body (always an AdmissionReview).
    public struct HTTPAnswer: Sendable {
        public var status: Int
        public var body: Data
        /// The decoded answer, for logging.
        public var review: AdmissionReview
    }

    /// Decodes `body`, runs the webhook and encodes the answer. An AdmissionReview that does
    /// not decode is answered with a denial (code 400) for its uid when the uid can be read,
    /// else with HTTP 400; so is one nested deeper than ``maximumNesting`` (HTTP 400, unread).
    public func handle(_ body: Data, webhook: Webhook) async -> HTTPAnswer {
        // Before any decoding: nesting costs the decoder more than linear time (found by
        // fuzzing, issue 14), and no Kubernetes object nests this deep.
        let shape = KubeJSON.shape(of: body)
        guard shape.depth <= Self.maximumNesting else {
            return answer(
                AdmissionReview(
                    response: Self.badRequest(
                        uid: "",
                        "malformed AdmissionReview: nested \(shape.depth) levels deep (at most \(Self.maximumNesting))")
                ),
                uidKnown: false)
        }
        // Not JSON, though a decoder skipping the string would not notice (found by fuzzing).
        guard !shape.rawControlCharacter, String(validating: body, as: UTF8.self) != nil else {
            return answer(
                AdmissionReview(
                    response: Self.badRequest(
                        uid: "", "malformed AdmissionReview: not JSON (a raw control character or invalid UTF-8)")),
                uidKnown: false)
        }
        if let (review, object) = TypedAdmissionReview.createOf(body), !review.request!.uid.isEmpty {
            switch webhook {
            case .mutating:
                return answer(AdmissionReview(response: await mutateResponse(review, typed: object)), uidKnown: true)
            case .validating:
                return answer(AdmissionReview(response: await validateResponse(review, typed: object)), uidKnown: true)
            }
        }
        let review: AdmissionReview
        do {
            review = try KubeJSON.decode(AdmissionReview.self, from: body)
        } catch {
            let message = "malformed AdmissionReview: \(FieldPath.describe(error))"
            let uid = (try? KubeJSON.decode(JSONValue.self, from: body))?[path: ["request", "uid"]]?.stringValue
            return answer(
                AdmissionReview(response: Self.badRequest(uid: uid ?? "", message)), uidKnown: uid?.isEmpty == false)
        }
        guard let uid = review.request?.uid, !uid.isEmpty else {
            let missing = review.request == nil ? "request" : "request.uid"
            return answer(
                AdmissionReview(response: Self.badRequest(uid: "", "malformed AdmissionReview: \(missing) is missing")),
                uidKnown: false)
        }
        switch webhook {
        case .mutating: return answer(await mutate(review), uidKnown: true)
        case .validating: return answer(await validate(review), uidKnown: true)
        }
    }

    private func answer(_ review: AdmissionReview, uidKnown: Bool) -> HTTPAnswer {
        let body: Data
        do {
            body = try KubeJSON.encode(review)
        } catch {
            // Encoding these plain types cannot fail; answer something valid regardless.
            body = Data(
                #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"","allowed":false}}"#
                    .utf8)
        }
        return HTTPAnswer(status: uidKnown ? 200 : 400, body: body, review: review)
    }

    // MARK: Responses

    static func badRequest(uid: String, _ message: String) -> AdmissionReview.Response {
        deny(uid: uid, code: 400, reason: "BadRequest", message)
    }

    static func invalid(uid: String, _ problems: [String]) -> AdmissionReview.Response {
        deny(uid: uid, code: 422, reason: "Invalid", problems.joined(separator: "; "))
    }

    static func forbidden(uid: String, _ message: String) -> AdmissionReview.Response {
        deny(uid: uid, code: 403, reason: "Forbidden", message)
    }

    static func internalError(uid: String, _ message: String) -> AdmissionReview.Response {
        deny(uid: uid, code: 500, reason: "InternalError", message)
    }

    static func deny(uid: String, code: Int, reason: String, _ message: String) -> AdmissionReview.Response {
        var response = AdmissionReview.Response.deny(uid: uid, code: code, message: message)
        response.status?.reason = reason
        return response
    }

    static func allow(uid: String) -> AdmissionReview.Response {
        do {
            return try .allow(uid: uid)
        } catch {
            // Without a patch nothing is encoded, so this cannot happen.
            return internalError(uid: uid, "could not build the answer: \(error)")
        }
    }

    // MARK: Envelope

    /// Which of Airlock's kinds a request is about.
    enum Kind: Sendable {
        case actionRequest
        case actionReview
    }

    /// The request of a review that is well-formed and about one of Airlock's kinds, or the
    /// denial to answer.
    static func envelope(_ review: AdmissionReview) -> Result<(AdmissionReview.Request, Kind), DenialResponse> {
        guard let request = review.request else {
            return .failure(DenialResponse(badRequest(uid: "", "malformed AdmissionReview: request is missing")))
        }
        let uid = request.uid
        guard review.apiVersion == "admission.k8s.io/v1", review.kind == "AdmissionReview" else {
            return .failure(
                DenialResponse(
                    badRequest(
                        uid: uid,
                        "unsupported \(review.apiVersion) \(review.kind): this webhook speaks admission.k8s.io/v1"
                            + " AdmissionReview")))
        }
        let kind: Kind
        switch (request.kind.group, request.kind.kind) {
        case (ActionRequest.group, ActionRequest.kind): kind = .actionRequest
        case (ActionReview.group, ActionReview.kind): kind = .actionReview
        default:
            let group = request.kind.group.isEmpty ? "core" : request.kind.group
            return .failure(
                DenialResponse(
                    badRequest(
                        uid: uid,
                        "unexpected kind \(request.kind.kind) (\(group)/\(request.kind.version)): this webhook admits"
                            + " only airlock.dev ActionRequest and ActionReview; check the webhook configuration's"
                            + " rules")))
        }
        // Only what an API server sends: anything else is a forged or broken review, and
        // "anything else passes" must not apply to it (found by fuzzing, issue 14).
        guard Self.operations.contains(request.operation) else {
            return .failure(
                DenialResponse(
                    badRequest(
                        uid: uid,
                        "malformed AdmissionReview: request.operation \"\(request.operation.prefix(64))\" is not one of "
                            + Self.operations.joined(separator: ", "))))
        }
        return .success((request, kind))
    }

    /// The deepest nesting of arrays and objects accepted in an AdmissionReview (an
    /// ActionRequest's deepest field is 7 levels in; managedFields add about 10).
    public static let maximumNesting = 64

    /// The operations an AdmissionReview names.
    static let operations = ["CREATE", "UPDATE", "DELETE", "CONNECT"]

    /// A denial carried through `Result`.
    struct DenialResponse: Error {
        var response: AdmissionReview.Response
        init(_ response: AdmissionReview.Response) { self.response = response }
    }

    // MARK: Typed objects

    /// A typed object, or the problems (each naming a field) that prevent decoding it.
    enum Decoded<T> {
        case object(T)
        case problems([String])
    }

    static func decodeRequest(_ object: JSONValue) -> Decoded<ActionRequest> {
        decode(object, raw: SpecValidation.rawProblems(requestObject:))
    }

    static func decodeReview(_ object: JSONValue) -> Decoded<ActionReview> {
        decode(object, raw: SpecValidation.rawProblems(reviewObject:))
    }

    private static func decode<T: Decodable>(_ object: JSONValue, raw: (JSONValue) -> [String]) -> Decoded<T> {
        guard case .object(var members) = object else { return .problems(["request.object must be an object"]) }
        // The API server drops a client's status on CREATE (status subresource) and ignores
        // it on UPDATE: it is nothing to reject an object for.
        members.removeValue(forKey: "status")
        let problems = raw(.object(members))
        guard problems.isEmpty else { return .problems(problems) }
        do {
            return .object(try JSONValue.object(members).decode(T.self))
        } catch {
            return .problems([FieldPath.describe(error)])
        }
    }
}
