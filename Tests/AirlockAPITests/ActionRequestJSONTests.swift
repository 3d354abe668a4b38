import AirlockAPI
import Foundation
import KubeCore
import Testing

/// The hand-written JSON of ActionRequest (``JSONReadable``, ``JSONWritable``) against its
/// `Codable` conformance, which stays the reference: the same bytes written, the same values
/// read, and on anything the reader does not take, `Codable` decides.
@Suite struct ActionRequestJSONTests {
    private func codableBytes(_ request: ActionRequest) throws -> [UInt8] {
        Array(try KubeJSON.encoder().encode(request))
    }

    private func codableValue(_ bytes: [UInt8]) throws -> ActionRequest {
        try KubeJSON.decoder().decode(ActionRequest.self, from: Data(bytes))
    }

    @Test func writesTheEncodersBytes() throws {
        let random = RandomRequests(seed: 1)
        for _ in 0..<2_000 {
            let request = random.request()
            let expected = try codableBytes(request)
            let text = String(decoding: expected, as: UTF8.self)
            #expect(String(decoding: request.jsonBytes, as: UTF8.self) == text)
            #expect(Array(try KubeJSON.encode(request)) == expected)
        }
    }

    @Test func readsWhatTheDecoderReads() throws {
        let random = RandomRequests(seed: 2)
        for _ in 0..<2_000 {
            let bytes = try codableBytes(random.request())
            let expected = try codableValue(bytes)
            do {
                #expect(try JSONReader.read(ActionRequest.self, from: bytes) == expected)
            } catch {
                Issue.record("refused: \(String(decoding: bytes, as: UTF8.self))")
                return
            }
        }
    }

    @Test func readsWhatTheAPIServerWrites() throws {
        let body = Data(Self.storedRequest.utf8)
        let read = try JSONReader.read(ActionRequest.self, from: body)
        #expect(read == (try codableValue(Array(body))))
        #expect(read.metadata.resourceVersion == "5123")
        #expect(read.status?.conditions?.first?.message == "<policy> & \"quotes\" é🔐")
        #expect(read.status?.decision?.reviewers == [])
        #expect(read.spec.ticket == nil)
    }

    /// Valid JSON the reader refuses goes to `Codable`, through ``KubeJSON/decode(_:from:)``.
    @Test(arguments: [
        #"{"metadata":{},"metadata":{},"spec":{"reason":"r","duration":"1m"}}"#,  // a key twice
        #"{"metadata":{"generation":1.0},"spec":{"reason":"r","duration":"1m"}}"#,  // a fraction
        #"{"metadata":{"generation":1e3},"spec":{"reason":"r","duration":"1m"}}"#,  // an exponent
        #"{"metadata":{"generation":9223372036854775808},"spec":{"reason":"r","duration":"1m"}}"#,
        #"{"metad\u0061ta":{},"spec":{"reason":"r","duration":"1m"}}"#,  // an escaped key
        #"{"metadata":{},"spec":{"reason":"\ud800","duration":"1m"}}"#,  // a lone surrogate
        #"{"metadata":{},"spec":{"reason":"r","duration":"1 minute"}}"#,
        #"{"metadata":{},"spec":{"reason":"r","duration":"1m","credential":"Other"}}"#,
        #"{"metadata":{},"spec":{"reason":null,"duration":"1m"}}"#,
        #"{"metadata":{},"spec":{"reason":"r"}}"#,
        #"{"metadata":{"creationTimestamp":"yesterday"},"spec":{"reason":"r","duration":"1m"}}"#,
        #"{"metadata":{"labels":{"a":1}},"spec":{"reason":"r","duration":"1m"}}"#,
        #"[]"#,
    ])
    func refusesAndLeavesItToCodable(json: String) throws {
        let bytes = Data(json.utf8)
        #expect(throws: JSONReader.Unexpected.self) { try JSONReader.read(ActionRequest.self, from: bytes) }
        let viaCodable = Result { try KubeJSON.decoder().decode(ActionRequest.self, from: bytes) }
        let viaKubeJSON = Result { try KubeJSON.decode(ActionRequest.self, from: bytes) }
        switch (viaCodable, viaKubeJSON) {
        case (.success(let expected), .success(let value)): #expect(value == expected)
        case (.failure(let expected), .failure(let error)): #expect("\(error)" == "\(expected)")
        default: Issue.record("KubeJSON.decode disagrees with Codable: \(viaKubeJSON) against \(viaCodable)")
        }
    }

    /// Whatever the reader takes, `Codable` takes too, with the same value: single bytes of
    /// stored requests deleted, duplicated or replaced.
    @Test func neverTakesWhatCodableWouldNot() throws {
        let random = RandomRequests(seed: 3)
        var compared = 0
        for round in 0..<5_000 {
            var bytes = round.isMultiple(of: 2) ? Array(Self.storedRequest.utf8) : try codableBytes(random.request())
            let position = random.next(bytes.count)
            switch random.next(3) {
            case 0: bytes.remove(at: position)
            case 1: bytes.insert(bytes[position], at: position)
            default: bytes[position] = Array(#"{}[]",:0-1.e"nul\ "#.utf8)[random.next(18)]
            }
            let read: ActionRequest
            do {
                read = try JSONReader.read(ActionRequest.self, from: bytes)
            } catch {
                continue  // refused: Codable decides (refusesAndLeavesItToCodable)
            }
            compared += 1
            #expect(read == (try codableValue(bytes)), "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(compared > 1_000)
    }

    /// As a v1.20 API server stores one: managedFields, whole-second timestamps, HTML characters
    /// escaped, explicit nulls, unknown members.
    static let storedRequest = #"""
        {"apiVersion":"airlock.dev/v1alpha1","kind":"ActionRequest","metadata":{"annotations":{"airlock.dev/x":"\u003cy\u003e"},"creationTimestamp":"2026-12-03T18:00:00Z","finalizers":["airlock.dev/grants"],"generation":1,"labels":{"app":"agent"},"managedFields":[{"apiVersion":"airlock.dev/v1alpha1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{".":{},"f:duration":{},"f:reason":{}}},"manager":"airlock-bench","operation":"Update","time":"2026-12-03T18:00:00Z"},{"apiVersion":"airlock.dev/v1alpha1","fieldsType":"FieldsV1","fieldsV1":{"f:status":{".":{},"f:conditions":{},"f:phase":{}}},"manager":"airlock","operation":"Update","time":"2026-12-03T18:00:01Z"}],"name":"req-1","namespace":"agents","resourceVersion":"5123","selfLink":"/apis/airlock.dev/v1alpha1/namespaces/agents/actionrequests/req-1","uid":"2e4758a0-96a6-42d7-a9a5-71b1999e85d6"},
         "spec":{"credential":"Subject","duration":"15m","permissions":[{"apiGroups":[""],"namespace":"prod","resources":["pods"],"verbs":["delete"]}],"reason":"restart\n\"db\"","requester":{"groups":["system:authenticated"],"signature":"v1.abc","username":"alice"},"ticket":null},
         "status":{"conditions":[{"lastTransitionTime":"2026-12-03T18:00:01.123456Z","message":"\u003cpolicy\u003e \u0026 \"quotes\" \u00e9\ud83d\udd10","reason":"Granted","status":"True","type":"Granted"}],"decision":{"at":"2026-12-03T18:00:01Z","outcome":"AutoApprove","policies":["auto"],"reviewers":[],"unknown":{"x":[1,2.5,-3e2,true,null]}},"expiresAt":"2026-12-03T18:15:01Z","grantedAt":"2026-12-03T18:00:01Z","grants":[{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","name":"airlock-req-1","namespace":"prod","uid":"u-1"}],"observedGeneration":1,"phase":"Granted"}}
        """#
}
