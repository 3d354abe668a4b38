import Foundation
import KubeClient
import KubeCore

/// The Secret holding the identity signing key: created once with random bytes by whichever
/// replica comes first, then read by every replica (and by nobody else: only the controller's
/// ServiceAccount may read Secrets in its namespace).
public enum SigningKeySecret {
    /// The Secret's default name.
    public static let defaultName = "airlock-signing-key"
    /// The data key holding the raw key bytes.
    public static let dataKey = "key"

    /// Loads the signer from the Secret `name` in `namespace`, creating the Secret with a
    /// fresh random key if it does not exist. Race-safe: when another replica creates it
    /// first (AlreadyExists), its key is read and used.
    ///
    /// An existing Secret without a usable key is an error, never overwritten: replacing the
    /// key would silently untrust every identity already stamped.
    public static func loadOrCreate(
        client: KubernetesClient, namespace: String, name: String = defaultName
    ) async throws -> IdentitySigner {
        do {
            return try signer(from: try await client.get(Secret.self, name: name, namespace: namespace))
        } catch let error as KubernetesError where error.isNotFound {
            // Create below.
        }
        let secret = makeSecret(name: name, namespace: namespace, key: IdentitySigner.randomKey())
        do {
            return try signer(from: try await client.create(secret, namespace: namespace))
        } catch let error as KubernetesError where error.isAlreadyExists {
            return try signer(from: try await client.get(Secret.self, name: name, namespace: namespace))
        }
    }

    /// A new Secret holding `key`, labelled as Airlock's.
    public static func makeSecret(name: String = defaultName, namespace: String, key: [UInt8]) -> Secret {
        Secret(
            metadata: ObjectMeta(
                name: name, namespace: namespace,
                labels: ["app.kubernetes.io/managed-by": "airlock", "app.kubernetes.io/component": "identity-signing"]),
            type: "Opaque", data: [dataKey: Data(key)])
    }

    /// The signer for the key in `secret`.
    public static func signer(from secret: Secret) throws -> IdentitySigner {
        let where_ = "Secret \(secret.metadata.namespace ?? "")/\(secret.metadata.name ?? "")"
        guard let key = secret.data?[dataKey] else {
            throw IdentityError("\(where_) has no data key \"\(dataKey)\"; delete it to have a new key generated")
        }
        do {
            return try IdentitySigner(key: Array(key))
        } catch let error as IdentityError {
            throw IdentityError("\(where_): \(error.message)")
        }
    }
}
