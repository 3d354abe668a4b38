import Foundation
import Yams

/// The parts of a kubeconfig file that Airlock reads.
struct KubeConfigFile: Decodable {
    struct NamedCluster: Decodable {
        var name: String
        var cluster: Cluster
    }
    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }
    struct NamedUser: Decodable {
        var name: String
        var user: User?
    }
    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: Exec?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }
    struct Exec: Decodable {
        var apiVersion: String?
        var command: String?
        var args: [String]?
        var env: [EnvVar]?
    }
    struct EnvVar: Decodable {
        var name: String
        var value: String
    }
    struct NamedContext: Decodable {
        var name: String
        var context: Context
    }
    struct Context: Decodable {
        var cluster: String
        var user: String?
        var namespace: String?
    }

    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }
}

extension ClientConfiguration {
    /// Reads a kubeconfig file and builds the configuration of `context` (default: its
    /// `current-context`). Errors name the file and the field at fault.
    public static func kubeconfig(path: String, context: String? = nil) throws -> ClientConfiguration {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw KubernetesError.configuration("kubeconfig \(path): cannot read the file")
        }
        return try kubeconfig(contents: bytes, path: path, context: context)
    }

    /// Builds the configuration of `context` from a kubeconfig's `contents`, as if read from
    /// `path` (files it names are relative to its directory). Any input gives a configuration
    /// or a `.configuration` error naming `path` and the field at fault.
    public static func kubeconfig(
        contents bytes: Data, path: String, context: String? = nil
    ) throws
        -> ClientConfiguration
    {
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw KubernetesError.configuration("kubeconfig \(path): not UTF-8 text")
        }
        let file: KubeConfigFile
        do {
            file = try Self.decodeFile(text)
        } catch let error as DecodingError {
            throw KubernetesError.configuration("kubeconfig \(path): \(Self.describe(error))")
        } catch {
            throw KubernetesError.configuration("kubeconfig \(path): not valid YAML (\(error))")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try KubeConfigResolver(file: file, path: path, baseDirectory: base).configuration(context: context)
    }

    /// Parses a kubeconfig without Yams's implicit-type regexes where it can: YAMLDecoder
    /// compiles one (merge keys, `<<`) through Foundation's NSRegularExpression, which loads
    /// ICU's regex engine and Unicode tables into every process that reads a kubeconfig — the
    /// long-running MCP server and an out-of-cluster controller among them (0.5–1 MB). Scalars
    /// are read by the fields' types either way; only a file with merge keys needs the resolver.
    static func decodeFile(_ text: String) throws -> KubeConfigFile {
        if text.contains("<<") { return try YAMLDecoder().decode(KubeConfigFile.self, from: text) }
        let root: Node
        let parser: Parser
        do {
            parser = try Parser(yaml: text, resolver: .basic)
            root = try parser.singleRoot() ?? ""
        } catch {
            // As YAMLDecoder words it: the parser's own message quotes the file, secrets and all.
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "The given data was not valid YAML.", underlyingError: error))
        }
        // The parser owns the anchors its nodes point to: it must outlive the decoding.
        return try withExtendedLifetime(parser) { try YAMLDecoder().decode(KubeConfigFile.self, from: root) }
    }

    /// The configuration used when none is named: `explicitPath`, else the first file of
    /// `$KUBECONFIG`, else `~/.kube/config`, else the in-cluster service account.
    public static func resolve(
        explicitPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClientConfiguration {
        if let explicitPath { return try kubeconfig(path: explicitPath, context: context) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init)
            guard let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw KubernetesError.configuration("KUBECONFIG=\(list): no such file")
            }
            return try kubeconfig(path: existing, context: context)
        }
        if let home = environment["HOME"] {
            let path = home + "/.kube/config"
            if FileManager.default.fileExists(atPath: path) { return try kubeconfig(path: path, context: context) }
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment: environment) }
        throw KubernetesError.configuration(
            "no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a pod")
    }

    /// The pod's service account: `KUBERNETES_SERVICE_HOST/PORT` and the mounted token (re-read
    /// every minute, as the kubelet rotates it), CA and namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        mountPath: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"]
        else {
            throw KubernetesError.configuration("in-cluster: KUBERNETES_SERVICE_HOST/PORT are not set")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw KubernetesError.configuration("in-cluster: bad server address \(host):\(port)")
        }
        let tokenPath = mountPath + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubernetesError.configuration("in-cluster: cannot read \(tokenPath)")
        }
        let ca = try readFile(mountPath + "/ca.crt", field: "in-cluster CA")
        let namespace = FileManager.default.contents(atPath: mountPath + "/namespace")
            .flatMap { String(data: $0, encoding: .utf8) }?.trimmingCharacters(in: .whitespacesAndNewlines)
        return ClientConfiguration(
            server: server, tls: TLS(certificateAuthorityPEM: ca),
            credentials: .tokenFile(path: tokenPath, refreshInterval: .seconds(60)), namespace: namespace)
    }

    static func readFile(_ path: String, field: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesError.configuration("\(field): cannot read \(path)")
        }
        return Array(data)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \(parent.isEmpty ? "" : parent + ".")\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field \(path(context)) has the wrong type"
        case .dataCorrupted(let context):
            return "malformed YAML \(path(context)) \(context.debugDescription)"
        @unknown default:
            return "malformed"
        }
    }
}

/// Turns one context of a parsed kubeconfig into a `ClientConfiguration`.
struct KubeConfigResolver {
    var file: KubeConfigFile
    var path: String
    var baseDirectory: String

    func configuration(context requested: String?) throws -> ClientConfiguration {
        guard let contextName = requested ?? file.currentContext, !contextName.isEmpty else {
            throw fail("no context given and current-context is not set")
        }
        guard let context = file.contexts?.first(where: { $0.name == contextName })?.context else {
            throw fail("context \"\(contextName)\" not found")
        }
        guard let cluster = file.clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw fail("cluster \"\(context.cluster)\" (of context \"\(contextName)\") not found")
        }
        guard let serverText = cluster.server, let server = URL(string: serverText.trimmingSlash), server.host != nil
        else {
            throw fail("clusters[\(context.cluster)].cluster.server is missing or not a URL")
        }
        if cluster.tlsServerName != nil {
            throw fail("clusters[\(context.cluster)].cluster.tls-server-name is not supported")
        }
        var tls = ClientConfiguration.TLS(insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false)
        tls.certificateAuthorityPEM = try material(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
            field: "clusters[\(context.cluster)].cluster.certificate-authority")

        var credentials = ClientConfiguration.Credentials.none
        if let userName = context.user, !userName.isEmpty {
            guard let user = file.users?.first(where: { $0.name == userName })?.user else {
                throw fail("user \"\(userName)\" (of context \"\(contextName)\") not found")
            }
            let field = "users[\(userName)].user"
            tls.clientCertificatePEM = try material(
                data: user.clientCertificateData, file: user.clientCertificate, field: "\(field).client-certificate")
            tls.clientKeyPEM = try material(
                data: user.clientKeyData, file: user.clientKey, field: "\(field).client-key")
            if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
                throw fail("\(field): client-certificate and client-key must be given together")
            }
            if let token = user.token, !token.isEmpty {
                credentials = .token(token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                let resolved = resolve(tokenFile)
                guard FileManager.default.isReadableFile(atPath: resolved) else {
                    throw fail("\(field).tokenFile: cannot read \(resolved)")
                }
                credentials = .tokenFile(path: resolved, refreshInterval: .seconds(60))
            } else if let exec = user.exec {
                guard let command = exec.command, !command.isEmpty else {
                    throw fail("\(field).exec.command is missing")
                }
                let apiVersion = exec.apiVersion ?? ""
                guard ExecCredentialPlugin.supportedVersions.contains(apiVersion) else {
                    throw fail(
                        "\(field).exec.apiVersion \"\(apiVersion)\" is not supported (use client.authentication.k8s.io/v1 or v1beta1)"
                    )
                }
                credentials = .exec(
                    ExecConfig(
                        apiVersion: apiVersion, command: command, args: exec.args ?? [],
                        env: Dictionary((exec.env ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                        baseDirectory: baseDirectory))
            }
        }
        return ClientConfiguration(server: server, tls: tls, credentials: credentials, namespace: context.namespace)
    }

    /// PEM bytes from `*-data` (base64) or from a file (relative to the kubeconfig).
    private func material(data: String?, file: String?, field: String) throws -> [UInt8]? {
        if let data, !data.isEmpty {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw fail("\(field)-data is not valid base64")
            }
            return Array(decoded)
        }
        if let file, !file.isEmpty {
            let resolved = resolve(file)
            guard let bytes = FileManager.default.contents(atPath: resolved) else {
                throw fail("\(field): cannot read \(resolved)")
            }
            return Array(bytes)
        }
        return nil
    }

    private func resolve(_ file: String) -> String {
        file.hasPrefix("/") ? file : baseDirectory + "/" + file
    }

    private func fail(_ message: String) -> KubernetesError {
        .configuration("kubeconfig \(path): \(message)")
    }
}

extension String {
    fileprivate var trimmingSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
