import Foundation
import KubeCore
import Testing

@Suite struct RequestBuilderTests {
    @Test func namespacedCorePaths() {
        let builder = RequestBuilder<Secret>()
        #expect(builder.path(namespace: "prod") == "/api/v1/namespaces/prod/secrets")
        #expect(builder.get(name: "s", namespace: "prod").pathAndQuery == "/api/v1/namespaces/prod/secrets/s")
        #expect(builder.path(namespace: nil) == "/api/v1/secrets")
    }

    @Test func groupedAndClusterScopedPaths() {
        #expect(
            RequestBuilder<Role>().path(namespace: "a", name: "r")
                == "/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles/r")
        // Cluster-scoped resources ignore a namespace.
        #expect(
            RequestBuilder<ClusterRole>().path(namespace: "a", name: "r")
                == "/apis/rbac.authorization.k8s.io/v1/clusterroles/r")
        #expect(
            RequestBuilder<ServiceAccount>().path(namespace: "a", name: "sa", subresource: "token")
                == "/api/v1/namespaces/a/serviceaccounts/sa/token")
    }

    @Test func listQueryIsEncoded() {
        let options = ListOptions(labelSelector: "app in (a,b),tier!=web", limit: 1, continue: "abc=/+")
        let request = RequestBuilder<ConfigMap>().list(namespace: "ns", options: options)
        #expect(request.method == .get)
        #expect(
            request.pathAndQuery
                == "/api/v1/namespaces/ns/configmaps?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dweb&limit=1&continue=abc%3D%2F%2B"
        )
    }

    @Test func watchQueryHasBookmarksAndResourceVersionButNoPaging() {
        let options = ListOptions(limit: 5, continue: "x", resourceVersion: "42", timeoutSeconds: 300)
        let request = RequestBuilder<ConfigMap>().watch(namespace: nil, options: options)
        #expect(
            request.pathAndQuery
                == "/api/v1/configmaps?watch=1&resourceVersion=42&timeoutSeconds=300&allowWatchBookmarks=true")
    }

    @Test func createSetsTypeMetaAndJSONBody() throws {
        let request = try RequestBuilder<ConfigMap>().create(
            ConfigMap(metadata: ObjectMeta(name: "c"), data: ["k": "v"]), namespace: "ns")
        #expect(request.method == .post)
        #expect(request.path == "/api/v1/namespaces/ns/configmaps")
        #expect(request.contentType == "application/json")
        let body = try #require(request.body)
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"name":"c"}}"#)
    }

    @Test func updateTargetsObjectAndStatus() throws {
        var map = ConfigMap(metadata: ObjectMeta(name: "c", namespace: "ns"))
        map.metadata.resourceVersion = "7"
        #expect(try RequestBuilder<ConfigMap>().update(map).path == "/api/v1/namespaces/ns/configmaps/c")
        let status = try RequestBuilder<ConfigMap>().update(map, subresource: "status")
        #expect(status.method == .put)
        #expect(status.path == "/api/v1/namespaces/ns/configmaps/c/status")
    }

    @Test func patchContentTypes() throws {
        let builder = RequestBuilder<ConfigMap>()
        let merge = try builder.patch(name: "c", namespace: "ns", patch: .merge(["data": ["k": "v"]]))
        #expect(merge.contentType == "application/merge-patch+json")
        #expect(merge.body.map { String(decoding: $0, as: UTF8.self) } == #"{"data":{"k":"v"}}"#)
        let json = try builder.patch(
            name: "c", namespace: "ns", patch: .json([.replace("/data/k", "w"), .remove("/data/x")]))
        #expect(json.contentType == "application/json-patch+json")
        #expect(
            json.body.map { String(decoding: $0, as: UTF8.self) }
                == #"[{"op":"replace","path":"/data/k","value":"w"},{"op":"remove","path":"/data/x"}]"#)
        let apply = try builder.patch(
            name: "c", namespace: "ns", patch: .apply(["kind": "ConfigMap"], fieldManager: "airlock", force: true))
        #expect(apply.contentType == "application/apply-patch+yaml")
        #expect(apply.pathAndQuery == "/api/v1/namespaces/ns/configmaps/c?fieldManager=airlock&force=true")
    }

    @Test func deleteCarriesPreconditionsAndPropagation() throws {
        let request = try RequestBuilder<Secret>().delete(
            name: "s", namespace: "ns",
            options: DeleteOptions(propagationPolicy: .background, uid: "u1", resourceVersion: "9"))
        #expect(request.method == .delete)
        let body = try #require(request.body.map { String(decoding: $0, as: UTF8.self) })
        #expect(
            body
                == #"{"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"resourceVersion":"9","uid":"u1"},"propagationPolicy":"Background"}"#
        )
    }

    @Test func idempotency() {
        #expect(KubeRequest(method: .get, path: "/").isIdempotent)
        #expect(KubeRequest(method: .delete, path: "/").isIdempotent)
        #expect(!KubeRequest(method: .post, path: "/").isIdempotent)
        #expect(!KubeRequest(method: .patch, path: "/").isIdempotent)
    }
}

@Suite struct VerbAndResourceTests {
    @Test(arguments: [
        (KubeRequest(method: .get, path: "/api/v1/namespaces/a/pods/p"), "get", "pods"),
        (KubeRequest(method: .get, path: "/api/v1/namespaces/a/pods"), "list", "pods"),
        (KubeRequest(method: .get, path: "/api/v1/pods", query: [("watch", "1")]), "watch", "pods"),
        (KubeRequest(method: .get, path: "/api/v1/namespaces/a"), "get", "namespaces"),
        (KubeRequest(method: .post, path: "/api/v1/namespaces"), "create", "namespaces"),
        (
            KubeRequest(method: .put, path: "/apis/airlock.dev/v1alpha1/namespaces/a/actionrequests/r/status"),
            "update", "actionrequests/status"
        ),
        (
            KubeRequest(method: .delete, path: "/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings"),
            "deletecollection", "rolebindings"
        ),
        (
            KubeRequest(method: .delete, path: "/apis/rbac.authorization.k8s.io/v1/clusterroles/x"), "delete",
            "clusterroles"
        ),
        (
            KubeRequest(method: .post, path: "/api/v1/namespaces/a/serviceaccounts/s/token"), "create",
            "serviceaccounts/token"
        ),
        (KubeRequest(method: .get, path: "/readyz"), "get", ""),
    ])
    func labels(_ request: KubeRequest, _ verb: String, _ resource: String) {
        #expect(request.verbAndResource.verb == verb)
        #expect(request.verbAndResource.resource == resource)
    }
}
