/// Polls `condition` every `interval` until it returns true; throws a `.timeout`
/// `KubeTestingError` naming `description` (and where it was called) when `timeout` passes
/// first. An error thrown by `condition` ends the polling and is rethrown.
///
/// The way to wait for something in a test: never a bare sleep.
public func eventually(
    _ description: String = "condition", timeout: Duration = .seconds(10), interval: Duration = .milliseconds(100),
    fileID: String = #fileID, line: Int = #line, _ condition: () async throws -> Bool
) async throws {
    _ = try await eventuallyValue(description, timeout: timeout, interval: interval, fileID: fileID, line: line) {
        try await condition() ? true : nil
    }
}

/// Polls `value` every `interval` until it returns non-nil, and returns that; throws a
/// `.timeout` `KubeTestingError` when `timeout` passes first. An error thrown by `value` ends
/// the polling and is rethrown.
public func eventuallyValue<T>(
    _ description: String = "value", timeout: Duration = .seconds(10), interval: Duration = .milliseconds(100),
    fileID: String = #fileID, line: Int = #line, _ value: () async throws -> T?
) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let result = try await value() { return result }
        guard clock.now + interval < deadline else {
            throw KubeTestingError(.timeout, "\(fileID):\(line): timed out after \(timeout) waiting for \(description)")
        }
        try await clock.sleep(for: interval)
    }
}
