import AirlockAPI
import Foundation
import KubeCore
import Testing

@Suite struct CRDTests {
    private var crds: [CustomResourceDefinition] { AirlockCRDs.customResourceDefinitions(includeCELRules: true) }

    private func version(_ crd: CustomResourceDefinition) throws -> JSONValue {
        guard case .array(let versions) = crd.spec["versions"], versions.count == 1 else {
            throw CRDTestError("expected exactly one version in \(crd.metadata.name ?? "?")")
        }
        return versions[0]
    }

    @Test func namesScopeAndVersion() throws {
        let byName = Dictionary(uniqueKeysWithValues: crds.map { ($0.metadata.name ?? "", $0) })
        #expect(
            byName.keys.sorted() == [
                "actionrequests.airlock.dev", "actionreviews.airlock.dev", "approvalpolicies.airlock.dev",
            ])
        let request = try #require(byName["actionrequests.airlock.dev"])
        #expect(request.apiVersion == "apiextensions.k8s.io/v1")
        #expect(request.kind == "CustomResourceDefinition")
        #expect(request.spec["group"] == "airlock.dev")
        #expect(request.spec["scope"] == "Namespaced")
        #expect(request.spec["names"]?["shortNames"] == ["areq"])
        #expect(request.spec["names"]?["singular"] == "actionrequest")
        #expect(request.spec["names"]?["listKind"] == "ActionRequestList")
        #expect(byName["actionreviews.airlock.dev"]?.spec["names"]?["shortNames"] == ["arev"])
        #expect(byName["approvalpolicies.airlock.dev"]?.spec["names"]?["shortNames"] == ["apol"])
        #expect(byName["approvalpolicies.airlock.dev"]?.spec["scope"] == "Cluster")
        for crd in crds {
            let version = try version(crd)
            #expect(version["name"] == "v1alpha1")
            #expect(version["served"] == true)
            #expect(version["storage"] == true)
        }
    }

    @Test func everyCRDHasStatusSubresourceCategoriesAndColumns() throws {
        for crd in crds {
            let name = crd.metadata.name ?? "?"
            let version = try version(crd)
            #expect(version["subresources"]?["status"] == [:], "\(name) lacks the status subresource")
            #expect(crd.spec["names"]?["categories"] == ["airlock"], "\(name) lacks category airlock")
            guard case .array(let shortNames) = crd.spec["names"]?["shortNames"] else {
                Issue.record("\(name) has no shortNames")
                continue
            }
            #expect(!shortNames.isEmpty)
            guard case .array(let columns) = version["additionalPrinterColumns"] else {
                Issue.record("\(name) has no printer columns")
                continue
            }
            #expect(columns.count >= 4, "\(name)")
            #expect(columns.contains { $0["name"] == "Age" && $0["type"] == "date" }, "\(name) lacks Age")
            for column in columns {
                #expect(column["description"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func actionRequestColumns() throws {
        let request = try #require(crds.first { $0.spec["names"]?["kind"] == "ActionRequest" })
        guard case .array(let columns) = try version(request)["additionalPrinterColumns"] else {
            Issue.record("no columns")
            return
        }
        let shown = columns.filter { $0["priority"] == nil }.map {
            "\($0["name"]?.stringValue ?? "")=\($0["jsonPath"]?.stringValue ?? "")"
        }
        #expect(
            shown == [
                "Phase=.status.phase", "Requester=.spec.requester.username", "Expires=.status.expiresAt",
                "Age=.metadata.creationTimestamp",
            ])
    }

    @Test func printerColumnPathsExistInTheSchema() throws {
        for crd in crds {
            let version = try version(crd)
            let schema = try #require(version["schema"]?["openAPIV3Schema"])
            let paths = SchemaChecker.propertyPaths(of: schema).union([".metadata.creationTimestamp"])
            guard case .array(let columns) = version["additionalPrinterColumns"] else { continue }
            for column in columns {
                let path = column["jsonPath"]?.stringValue ?? ""
                #expect(paths.contains(path), "\(crd.metadata.name ?? "?"): column path \(path) is not in the schema")
            }
        }
    }

    @Test func yamlIsStableAndNamedLikeControllerGen() throws {
        let first = try AirlockCRDs.renderYAML(includeCELRules: true)
        let second = try AirlockCRDs.renderYAML(includeCELRules: true)
        #expect(
            first.map(\.fileName) == [
                "airlock.dev_actionrequests.yaml", "airlock.dev_actionreviews.yaml",
                "airlock.dev_approvalpolicies.yaml",
            ])
        #expect(first.map(\.yaml) == second.map(\.yaml))
        let request = try #require(first.first?.yaml)
        #expect(
            request.hasPrefix(
                AirlockCRDs.generatedHeader + "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"))
        #expect(request.contains("name: actionrequests.airlock.dev"))
        #expect(request.contains("rule: self == oldSelf"))
        #expect(request.contains("µs"))
        #expect(try !AirlockCRDs.renderYAML(includeCELRules: false)[0].yaml.contains("x-kubernetes-validations"))
    }

    /// The committed `manifests/crds/` must match what the types generate.
    /// Regenerate with `swift run airlock crds --output manifests/crds` (or `AIRLOCK_UPDATE_CRDS=1 swift test`).
    @Test func crdsAreCurrent() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/crds")
        let rendered = try AirlockCRDs.renderYAML(includeCELRules: true)
        if ProcessInfo.processInfo.environment["AIRLOCK_UPDATE_CRDS"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for file in rendered {
                try Data(file.yaml.utf8).write(to: directory.appendingPathComponent(file.fileName))
            }
        }
        let hint =
            "manifests/crds/ is stale: run `swift run airlock crds --output manifests/crds` and commit the result"
        for file in rendered {
            let url = directory.appendingPathComponent(file.fileName)
            let committed = try? String(contentsOf: url, encoding: .utf8)
            #expect(committed != nil, "manifests/crds/\(file.fileName) is missing; \(hint)")
            if let committed { #expect(committed == file.yaml, "manifests/crds/\(file.fileName) differs; \(hint)") }
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let stray = Set(present.filter { $0.hasPrefix("airlock.dev_") }).subtracting(rendered.map(\.fileName))
        #expect(stray.isEmpty, "manifests/crds/ holds CRDs the types no longer generate: \(stray.sorted()); \(hint)")
    }
}

struct CRDTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
