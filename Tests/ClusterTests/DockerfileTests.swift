import Foundation
import KubeCore
import KubeTesting
import Testing

/// The image cannot be built here (no Docker): these checks keep the Dockerfile honest against
/// what can be checked — Package.swift's product, the Deployment's args, the binary's flags.
@Suite struct DockerfileTests {
    /// One instruction, continuation lines joined, comments dropped.
    struct Instruction {
        var keyword: String
        var arguments: String
        var stage: Int
    }

    static func instructions() throws -> [Instruction] {
        let text = try String(contentsOf: Kubectl.repository.appendingPathComponent("Dockerfile"), encoding: .utf8)
        var result: [Instruction] = []
        var stage = -1
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || (trimmed.isEmpty && pending.isEmpty) { continue }
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast() + " "
                continue
            }
            let whole = pending + trimmed
            pending = ""
            guard !whole.isEmpty else { continue }
            let keyword = String(whole.prefix { !$0.isWhitespace }).uppercased()
            if keyword == "FROM" { stage += 1 }
            result.append(
                Instruction(
                    keyword: keyword, arguments: whole.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces),
                    stage: stage))
        }
        return result
    }

    static func jsonArray(_ text: String) throws -> [String] {
        try KubeJSON.decode([String].self, from: Data(text.utf8))
    }

    @Test func theImageRunsThePackagesProductAsTheDeploymentSays() async throws {
        let instructions = try Self.instructions()
        let froms = instructions.filter { $0.keyword == "FROM" }
        #expect(froms.count == 2, "multi-stage: a build stage and a runtime stage")
        let buildStage = try #require(froms.first?.arguments.split(separator: " ").last.map(String.init))
        #expect(froms.last?.arguments.contains("slim") == true, "small runtime image: \(froms.last?.arguments ?? "")")

        // The build: hack/release-build.sh's release build of one product, with the Swift runtime
        // linked in and the code laid out in the order of hack/airlock.order.
        let build = try #require(
            instructions.first { $0.keyword == "RUN" && $0.arguments.contains("hack/release-build.sh") })
        #expect(build.stage == 0)
        let product = try #require(build.arguments.firstMatch(of: #/release-build\.sh ([\w-]+)/#)?.output.1)
        let hack = Kubectl.repository.appendingPathComponent("hack")
        let script = try String(contentsOf: hack.appendingPathComponent("release-build.sh"), encoding: .utf8)
        for flag in ["-c release", "--static-swift-stdlib", "-function-sections"] {
            #expect(script.contains(flag), "hack/release-build.sh builds without \(flag)")
        }
        let package = try String(
            contentsOf: Kubectl.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(package.contains("--symbol-ordering-file=\\(packageDirectory)/hack/airlock.order"))
        let order = try String(contentsOf: hack.appendingPathComponent("airlock.order"), encoding: .utf8)
        #expect(order.split(separator: "\n").count > 1000, "hack/airlock.order: regenerate it with hack/order-file.sh")
        #expect(package.contains(".executable(name: \"\(product)\""), "Package.swift has no executable \(product)")
        // The script prints the binaries' directory last.
        #expect(build.arguments.contains(#"bin=$(bash hack/release-build.sh \#(product) | tail -n 1)"#))
        let staged = try #require(build.arguments.firstMatch(of: #/"\$bin/([\w-]+)" (/\S+)/#))
        #expect(staged.output.1 == product, "the staged file is not the built product")

        // The runtime: that file copied from the build stage, run as the entrypoint.
        let copy = try #require(instructions.first { $0.keyword == "COPY" && $0.stage == 1 })
        let parts = copy.arguments.split(separator: " ").map(String.init)
        #expect(parts == ["--from=\(buildStage)", String(staged.output.2), "/usr/local/bin/\(product)"], "\(parts)")
        let entrypoint = try Self.jsonArray(try #require(instructions.last { $0.keyword == "ENTRYPOINT" }).arguments)
        #expect(entrypoint == ["/usr/local/bin/\(product)"])
        let command = try Self.jsonArray(try #require(instructions.last { $0.keyword == "CMD" }).arguments)
        #expect(!instructions.contains { $0.keyword == "HEALTHCHECK" }, "Kubernetes probes do that")
        let labels = instructions.filter { $0.keyword == "LABEL" }.map(\.arguments).joined(separator: " ")
        for key in ["title", "description", "version", "revision", "source"] {
            #expect(labels.contains("org.opencontainers.image.\(key)="), "OCI label \(key)")
        }

        // The Deployment: no command override, the same subcommand, the image's user, its ports.
        let deployment = try #require(
            try manifestObjects("manifests/deployment.yaml").first { $0["kind"] == "Deployment" })
        let pod = try #require(deployment["spec"]?["template"]?["spec"])
        let container = try #require(jsonItems(pod["containers"]).first)
        #expect(container["command"] == nil, "the Deployment must not replace the image's entrypoint")
        let args = jsonItems(container["args"]).compactMap(\.stringValue)
        #expect(args.first == command.first, "CMD \(command) vs Deployment args \(args)")
        let user = try #require(instructions.last { $0.keyword == "USER" }?.arguments)
        #expect(user == "65532:65532")
        #expect(pod["securityContext"]?["runAsUser"] == 65532 && pod["securityContext"]?["runAsGroup"] == 65532)
        let exposed = try #require(instructions.last { $0.keyword == "EXPOSE" }?.arguments).split(separator: " ")
        let ports = jsonItems(container["ports"]).compactMap { port -> String? in
            if case .number(let number)? = port["containerPort"] { return String(Int(number)) }
            return nil
        }
        #expect(Set(exposed.map(String.init)) == Set(ports), "EXPOSE \(exposed) vs containerPorts \(ports)")

        // Every flag the Deployment (and the overlays) pass is one the binary's subcommand has.
        let kubectl = try Kubectl(plane: try await TestControlPlane.shared())
        var flags = Set(args.dropFirst().map { String($0.prefix { $0 != "=" }) })
        for directory in Kubectl.kustomizations {
            for object in try Kubectl.documents(try await kubectl.kustomize(directory))
            where object["kind"] == "Deployment" {
                let container = jsonItems(object["spec"]?["template"]?["spec"]?["containers"]).first
                flags.formUnion(
                    jsonItems(container?["args"]).dropFirst().compactMap(\.stringValue).map {
                        String($0.prefix { $0 != "=" })
                    })
            }
        }
        let help = try await kubectl.runner.run([args[0], "--help"], as: nil)
        #expect(help.code == 0, "\(help)")
        for flag in flags { #expect(help.stdout.contains(flag), "airlock \(args[0]) has no \(flag)") }
    }
}

/// The items of a JSON array (empty otherwise).
func jsonItems(_ value: JSONValue?) -> [JSONValue] {
    if case .array(let items)? = value { return items }
    return []
}
