import AsyncHTTPClient
import Foundation
import KubeCore
import NIOCore

/// A real headless browser for tests: Debian's `chromium` driven through `chromedriver` with
/// the W3C WebDriver protocol (JSON over HTTP on loopback). Just what the inbox test needs:
/// open a page, find an element by CSS selector, click it, read the page.
///
/// `apt-get install chromium chromium-driver` (`.ci/run` does); a missing binary fails with
/// that command.
public final class WebDriver: Sendable {
    public static let install = "apt-get install -y chromium chromium-driver"

    let driver: ServerProcess
    let base: String
    let session: String

    private init(driver: ServerProcess, base: String, session: String) {
        self.driver = driver
        self.base = base
        self.session = session
    }

    /// Starts chromedriver and a headless Chromium session; `body` runs with it, and both are
    /// stopped afterwards.
    public static func withBrowser<T>(in directory: URL, _ body: (WebDriver) async throws -> T) async throws -> T {
        let fileManager = FileManager.default
        guard
            let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first(where: {
                fileManager.isExecutableFile(atPath: $0)
            }), fileManager.isExecutableFile(atPath: "/usr/bin/chromium")
        else {
            throw KubeTestingError(.missingBinaries, "chromium and chromedriver are missing: run `\(install)`")
        }
        let port = try FreePort.loopback(count: 1)[0]
        let driver = try await ServerProcess.launch(
            .init(name: "chromedriver", executable: chromedriver, arguments: ["--port=\(port)"]), in: directory)
        let base = "http://127.0.0.1:\(port)"
        do {
            try await eventually("chromedriver to listen", timeout: .seconds(20), interval: .milliseconds(100)) {
                (try? await call(base + "/status", method: "GET", body: nil))?["value"]?["ready"] == true
            }
            let capabilities: JSONValue = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": "/usr/bin/chromium",
                            "args": [
                                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                .string("--user-data-dir=\(directory.path)/chromium-profile-\(port)"),
                            ],
                        ],
                    ]
                ]
            ]
            let created = try await call(base + "/session", method: "POST", body: capabilities)
            guard let session = created["value"]?["sessionId"]?.stringValue else {
                throw KubeTestingError(.startFailed, "chromedriver made no session: \(created)")
            }
            let browser = WebDriver(driver: driver, base: base, session: session)
            do {
                let result = try await body(browser)
                await browser.quit()
                return result
            } catch {
                await browser.quit()
                throw error
            }
        } catch {
            await driver.stop()
            throw error
        }
    }

    /// Opens `url` and waits for the page to load.
    public func open(_ url: String) async throws {
        _ = try await command("url", body: ["url": .string(url)])
    }

    /// The element matching `selector`, waiting up to `timeout` for it to appear; the error
    /// says what the browser had instead.
    public func element(_ selector: String, timeout: Duration = .seconds(10)) async throws -> String {
        do {
            return try await eventuallyValue("element \(selector)", timeout: timeout, interval: .milliseconds(100)) {
                let found = try? await command("element", body: ["using": "css selector", "value": .string(selector)])
                // W3C: the element reference's key is this constant.
                return found?["value"]?["element-6066-11e4-a52e-4f735466cecf"]?.stringValue
            }
        } catch {
            let page = (try? await source()) ?? "(no page source)"
            throw KubeTestingError(.timeout, "\(error); the page:\n\(page.prefix(3000))")
        }
    }

    /// Clicks the element (as a user does: the browser submits its form).
    public func click(_ element: String) async throws {
        _ = try await command("element/\(element)/click", body: [:])
    }

    /// The visible text of the element.
    public func text(_ element: String) async throws -> String {
        try await command("element/\(element)/text", method: "GET")["value"]?.stringValue ?? ""
    }

    /// The page's HTML as the browser has it now.
    public func source() async throws -> String {
        try await command("source", method: "GET")["value"]?.stringValue ?? ""
    }

    private func quit() async {
        _ = try? await Self.call("\(base)/session/\(session)", method: "DELETE", body: nil)
        await driver.stop()
    }

    private func command(_ path: String, method: String = "POST", body: JSONValue? = nil) async throws -> JSONValue {
        try await Self.call("\(base)/session/\(session)/\(path)", method: method, body: body)
    }

    /// One WebDriver call; a W3C error answer (`value.error`) throws.
    private static func call(_ url: String, method: String, body: JSONValue?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try KubeJSON.encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        let json = try KubeJSON.decode(JSONValue.self, from: data)
        if let error = json["value"]?["error"]?.stringValue {
            throw KubeTestingError(
                .other, "WebDriver \(error): \(json["value"]?["message"]?.stringValue?.prefix(300) ?? "")")
        }
        return json
    }
}
