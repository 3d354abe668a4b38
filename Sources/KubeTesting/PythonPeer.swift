import Foundation

/// Third-party Python libraries as independent peers for tests: `slack_sdk`, `cloudevents`,
/// `standardwebhooks`, `PyJWT` (installed by `.ci/run` with pinned versions). Found with
/// `/usr/bin/env python3`; a missing package fails the test with the command that installs it.
public enum PythonPeer {
    public static let install =
        "python3 -m pip install slack_sdk==3.48.0 cloudevents==2.2.0 standardwebhooks==1.1.0 PyJWT[crypto]==2.15.1"
        + " kubernetes-validate==1.37.0"

    /// Runs `script` with `input` on stdin; returns stdout.
    public static func run(_ script: String, arguments: [String] = [], input: Data = Data()) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let stdin = Pipe()
        let output = try OutputFile(), errors = try OutputFile()
        process.standardInput = stdin
        process.standardOutput = output.handle
        process.standardError = errors.handle
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
        let status: Int32
        do {
            status = try await eventuallyValue("python3 to exit", timeout: .seconds(300), interval: .milliseconds(10)) {
                process.exitStatus
            }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        try check(status: status, stderr: errors.text)
        return output.text
    }

    /// Fails with the install command when python reported a missing module.
    static func check(status: Int32, stderr: String) throws {
        if stderr.contains("MISSING_MODULE") || stderr.contains("ModuleNotFoundError") {
            throw KubeTestingError(.other, "a Python package is missing (\(stderr.trimmed)): run `\(install)`")
        }
        guard status == 0 else { throw KubeTestingError(.other, "python3 exited \(status): \(stderr.trimmed)") }
    }

    /// A temporary file a child process writes to, read as it grows; removed when released.
    final class OutputFile: Sendable {
        let url: URL
        let handle: FileHandle

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-chat-\(UUID().uuidString).out")
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw KubeTestingError(.other, "cannot create \(url.path)")
            }
            handle = try FileHandle(forWritingTo: url)
        }

        deinit {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
        }

        var text: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        var lines: [String] { text.split(separator: "\n").map(String.init) }
    }
}

/// A Python HTTP receiver that verifies every event with `standardwebhooks` and parses it
/// with `cloudevents`, printing one JSON line per request; the first answers can be faults.
public final class PythonEventReceiver {
    static let script = #"""
        import json, os, signal, sys, threading
        from http.server import BaseHTTPRequestHandler, HTTPServer
        # Signals may arrive blocked from the test process; and when the test process goes away
        # (its end of stdin closes), so does this receiver.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        try:
            from standardwebhooks import Webhook
            # cloudevents 2.x keeps 1.x's `cloudevents.http.from_http` as cloudevents.v1.http:
            # it picks structured or binary mode from the Content-Type.
            from cloudevents.v1.http import from_http
            # ... and the 2.x core API, which validates the attributes.
            from cloudevents.core.bindings.http import HTTPMessage, from_http as core_from_http
            from cloudevents.core.formats.json import JSONFormat
        except ImportError as error:
            print("MISSING_MODULE", error.name, file=sys.stderr, flush=True)
            sys.exit(3)

        webhook = Webhook(sys.argv[1])
        faults = [f for f in sys.argv[2].split(",") if f]
        seen = set()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                record = {"webhook_id": headers.get("webhook-id"), "content_type": headers.get("content-type")}
                extra = {}
                if faults:
                    status, _, retry = faults.pop(0).partition(":")
                    status = int(status)
                    if retry:
                        extra["Retry-After"] = retry
                    record["fault"] = status
                else:
                    try:
                        webhook.verify(body, headers)
                        event = from_http(headers, body)
                        core = core_from_http(HTTPMessage(headers=headers, body=body), JSONFormat())
                        record.update(
                            verified=True, id=event["id"], type=event["type"], source=event["source"],
                            subject=event["subject"], specversion=event["specversion"], time=event["time"],
                            datacontenttype=event["datacontenttype"], data=event.data, core_id=core.get_id(),
                            core_time=core.get_time().isoformat(), duplicate=event["id"] in seen)
                        seen.add(event["id"])
                        status = 204
                    except Exception as error:
                        record.update(verified=False, error=f"{type(error).__name__}: {error}")
                        status = 400
                print(json.dumps(record), flush=True)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        print(json.dumps({"port": server.server_address[1]}), flush=True)
        server.serve_forever()
        """#

    let process: Process
    let input: Pipe
    let output: PythonPeer.OutputFile
    let errors: PythonPeer.OutputFile
    public let port: Int

    /// Starts the receiver; `faults` answer the first requests (`"429:3"` = 429 with
    /// `Retry-After: 3`, `"503"`).
    public init(secret: String, faults: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, secret, faults.joined(separator: ",")]
        let stdin = Pipe()
        let output = try PythonPeer.OutputFile(), errors = try PythonPeer.OutputFile()
        process.standardInput = stdin
        process.standardOutput = output.handle
        process.standardError = errors.handle
        try process.run()
        let port: Int
        do {
            port = try await eventuallyValue(
                "the Python receiver's port", timeout: .seconds(20), interval: .milliseconds(50)
            ) {
                if let status = process.exitStatus {
                    try PythonPeer.check(status: status, stderr: errors.text)
                    throw KubeTestingError(.startFailed, "the Python receiver exited: \(errors.text)")
                }
                return output.lines.first.flatMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["port"] as? Int
                }
            }
        } catch {
            try? stdin.fileHandleForWriting.close()
            if !process.hasExited { kill(process.processIdentifier, SIGKILL) }
            throw error
        }
        self.process = process
        self.input = stdin
        self.output = output
        self.errors = errors
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)/events" }

    /// The JSON records printed so far (after the port line).
    public var records: [[String: Any]] {
        output.lines.dropFirst().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Waits until `count` records are printed.
    public func waitForRecords(_ count: Int) async throws -> [[String: Any]] {
        try await eventuallyValue("\(count) receiver records", timeout: .seconds(10), interval: .milliseconds(20)) {
            let records = self.records
            return records.count >= count ? records : nil
        }
    }

    /// Stops the receiver process (this test's own child, by its id): closing its stdin ends
    /// it; SIGKILL makes sure (SIGTERM may be blocked in processes the test process starts).
    public func stop() {
        try? input.fileHandleForWriting.close()
        if !process.hasExited { kill(process.processIdentifier, SIGKILL) }
    }
}

extension String {
    /// Without leading and trailing white space.
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
