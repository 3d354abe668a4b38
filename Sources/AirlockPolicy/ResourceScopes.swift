/// Which resources are cluster-scoped. A cluster-wide rule on a namespaced resource reaches
/// every namespace — the controller's own included — so only cluster-scoped resources may be
/// granted cluster-wide. Unknown resources count as namespaced.
enum ResourceScopes {
    /// Built-in cluster-scoped resources by API group.
    static let clusterScoped: [String: Set<String>] = [
        "": ["nodes", "namespaces", "persistentvolumes", "componentstatuses"],
        "rbac.authorization.k8s.io": ["clusterroles", "clusterrolebindings"],
        "storage.k8s.io": ["storageclasses", "csidrivers", "csinodes", "volumeattachments"],
        "apiextensions.k8s.io": ["customresourcedefinitions"],
        "apiregistration.k8s.io": ["apiservices"],
        "admissionregistration.k8s.io": [
            "mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies",
            "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
        ],
        "scheduling.k8s.io": ["priorityclasses"],
        "node.k8s.io": ["runtimeclasses"],
        "networking.k8s.io": ["ingressclasses", "ipaddresses", "servicecidrs"],
        "certificates.k8s.io": ["certificatesigningrequests", "clustertrustbundles"],
        "policy": ["podsecuritypolicies"],
        "flowcontrol.apiserver.k8s.io": ["flowschemas", "prioritylevelconfigurations"],
        "metrics.k8s.io": ["nodes"],
    ]

    /// Whether `resource` (possibly `name/subresource`) of `group` is cluster-scoped.
    static func isClusterScoped(resource: String, group: String) -> Bool {
        let base = resource.split(separator: "/", maxSplits: 1).first.map(String.init) ?? resource
        return clusterScoped[group.lowercased()]?.contains(base.lowercased()) ?? false
    }
}
