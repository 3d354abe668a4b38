import KubeClient
import KubeCore

/// Runs a reconcile behind a finalizer, so cleanup happens before the object goes.
///
/// Expected flow, for an object `o` and finalizer `f`:
/// 1. `o` is alive and lacks `f`: `f` is added (guarded by resourceVersion), then `apply` runs.
/// 2. `o` is alive and has `f`: `apply` runs.
/// 3. `o` is being deleted and has `f`: `cleanup` runs; when it succeeds `f` is removed and the
///    API server deletes `o`. If it throws, `f` stays and the reconcile is retried.
/// 4. `o` is being deleted and lacks `f`: nothing to do.
///
/// `apply` and `cleanup` must both be idempotent: either may run again after a crash.
public enum Finalizer {
    public static func reconcile<R: KubeResource>(
        _ object: R, finalizer: String, client: KubernetesClient,
        apply: (R) async throws -> ReconcileResult, cleanup: (R) async throws -> Void
    ) async throws -> ReconcileResult {
        let finalizers = object.metadata.finalizers ?? []
        if object.metadata.deletionTimestamp != nil {
            guard let index = finalizers.firstIndex(of: finalizer) else { return .done }
            try await cleanup(object)
            _ = try await client.patch(
                R.self, name: object.metadata.name ?? "", namespace: object.metadata.namespace,
                patch: .json([
                    .test("/metadata/resourceVersion", .string(object.metadata.resourceVersion ?? "")),
                    .test("/metadata/finalizers/\(index)", .string(finalizer)),
                    .remove("/metadata/finalizers/\(index)"),
                ]))
            return .done
        }
        var current = object
        if !finalizers.contains(finalizer) {
            let patch: [JSONPatchOperation] =
                object.metadata.finalizers == nil
                ? [.add("/metadata/finalizers", [.string(finalizer)])]
                : [.add("/metadata/finalizers/-", .string(finalizer))]
            current = try await client.patch(
                R.self, name: object.metadata.name ?? "", namespace: object.metadata.namespace,
                patch: .json(
                    [.test("/metadata/resourceVersion", .string(object.metadata.resourceVersion ?? ""))] + patch))
        }
        return try await apply(current)
    }
}
