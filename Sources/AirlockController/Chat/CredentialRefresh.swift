import AirlockChat
import Foundation
import KubeClient
import KubeCore
import Logging

/// Chat credentials and what is built from them (clients, handlers), re-read every
/// `refreshInterval` so a rotated Secret applies without a restart, and rebuilt only when a
/// value changed. While the source cannot be read the last good ones are kept (and the source
/// tried again in 30 s); with none, the read's error is the answer, and nothing else stops.
struct CredentialRefresh<Credentials: Equatable, Built> {
    /// `Slack`, `Teams`: for the log.
    let channel: String
    let refreshInterval: Duration
    private var loaded: (credentials: Credentials, built: Built, until: ContinuousClock.Instant)?

    init(channel: String, refreshInterval: Duration) {
        self.channel = channel
        self.refreshInterval = refreshInterval
    }

    /// What was built, while it is fresh at `now`; nil: read the credentials.
    func fresh(at now: ContinuousClock.Instant) -> Built? {
        guard let loaded, now < loaded.until else { return nil }
        return loaded.built
    }

    /// Takes the outcome of reading the credentials at `now`; returns what to use.
    mutating func update(
        with read: Result<Credentials, ChatError>, at now: ContinuousClock.Instant, logger: Logger,
        build: (Credentials) -> Built
    ) throws(ChatError) -> Built {
        switch read {
        case .failure(let error):
            guard var kept = loaded else {
                logger.error("cannot read the \(channel) credentials: \(error.message)")
                throw error
            }
            logger.warning("cannot re-read the \(channel) credentials, keeping the current ones: \(error.message)")
            kept.until = now.advanced(by: .seconds(30))
            loaded = kept
            return kept.built
        case .success(let credentials):
            if var kept = loaded, kept.credentials == credentials {
                kept.until = now.advanced(by: refreshInterval)
                loaded = kept
                return kept.built
            }
            if loaded != nil { logger.info("\(channel) credentials changed: using the new ones") }
            let built = build(credentials)
            loaded = (credentials, built, now.advanced(by: refreshInterval))
            return built
        }
    }
}

/// The keys of a Secret in the controller's namespace that holds chat credentials.
enum CredentialSecret {
    /// Each key's value, trailing whitespace and newlines trimmed.
    ///
    /// - Throws: `.unavailable` when the Secret cannot be read (missing: create it as `docs`
    ///   says), `.invalidInput` when a key is missing or empty.
    static func read(
        _ name: String, namespace: String, keys: [String], client: KubernetesClient, docs: String
    ) async throws(ChatError) -> [String: [UInt8]] {
        let location = "the Secret \(namespace)/\(name)"
        let secret: Secret
        do {
            secret = try await client.get(Secret.self, name: name, namespace: namespace)
        } catch let error as KubernetesError where error.isNotFound {
            throw ChatError(.unavailable, "\(location) does not exist: create it (\(docs))")
        } catch {
            throw ChatError(.unavailable, "cannot read \(location): \(error)")
        }
        var values: [String: [UInt8]] = [:]
        for key in keys {
            var bytes = [UInt8](secret.data?[key] ?? Data())
            while let last = bytes.last, last == 10 || last == 13 || last == 32 { bytes.removeLast() }
            guard !bytes.isEmpty else {
                throw ChatError(.invalidInput, "\(location) has no key \(key) (or it is empty)")
            }
            values[key] = bytes
        }
        return values
    }
}
