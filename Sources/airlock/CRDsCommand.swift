import AirlockAPI
import ArgumentParser
import Foundation

/// `airlock crds`: prints or writes the CRDs generated from the Swift types.
struct CRDs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds", abstract: "Print Airlock's CustomResourceDefinitions, or write them to a directory.")

    @Option(help: "Directory to write one YAML file per CRD into (default: print to stdout).")
    var output: String?

    @Flag(inversion: .prefixedNo, help: "Include CEL validation rules (enforced by Kubernetes 1.25+).")
    var celRules = true

    func run() throws {
        let files = try AirlockCRDs.renderYAML(includeCELRules: celRules)
        guard let output else {
            print(files.map(\.yaml).joined(separator: "---\n"), terminator: "")
            return
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        for file in files {
            let path = (output as NSString).appendingPathComponent(file.fileName)
            try file.yaml.write(toFile: path, atomically: true, encoding: .utf8)
            print("wrote \(path)")
        }
    }
}
