/// What the `--allow` grammar knows about well-known Kubernetes resources: their API group,
/// their scope, and the short or singular names people type (`po`, `deploy`) that RBAC does
/// not accept. Resources it does not know must be written with their group and a scope.
enum KnownResources {
    enum Scope: Sendable {
        case namespaced, cluster
    }

    struct Entry: Sendable {
        var group: String
        var scope: Scope
    }

    /// Plural resource name → group and scope.
    static let entries: [String: Entry] = {
        var table: [String: Entry] = [:]
        func add(_ group: String, _ scope: Scope, _ names: [String]) {
            for name in names { table[name] = Entry(group: group, scope: scope) }
        }
        add(
            "", .namespaced,
            [
                "pods", "services", "configmaps", "secrets", "serviceaccounts", "persistentvolumeclaims", "events",
                "endpoints", "replicationcontrollers", "resourcequotas", "limitranges", "podtemplates", "bindings",
            ])
        add("", .cluster, ["nodes", "namespaces", "persistentvolumes", "componentstatuses"])
        add(
            "apps", .namespaced, ["deployments", "statefulsets", "daemonsets", "replicasets", "controllerrevisions"])
        add("batch", .namespaced, ["jobs", "cronjobs"])
        add("networking.k8s.io", .namespaced, ["ingresses", "networkpolicies"])
        add("networking.k8s.io", .cluster, ["ingressclasses"])
        add("rbac.authorization.k8s.io", .namespaced, ["roles", "rolebindings"])
        add("rbac.authorization.k8s.io", .cluster, ["clusterroles", "clusterrolebindings"])
        add("autoscaling", .namespaced, ["horizontalpodautoscalers"])
        add("policy", .namespaced, ["poddisruptionbudgets"])
        add("coordination.k8s.io", .namespaced, ["leases"])
        add("discovery.k8s.io", .namespaced, ["endpointslices"])
        add("storage.k8s.io", .cluster, ["storageclasses", "volumeattachments", "csidrivers", "csinodes"])
        add("apiextensions.k8s.io", .cluster, ["customresourcedefinitions"])
        add("certificates.k8s.io", .cluster, ["certificatesigningrequests"])
        add("scheduling.k8s.io", .cluster, ["priorityclasses"])
        add(
            "admissionregistration.k8s.io", .cluster,
            ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"])
        add("airlock.dev", .namespaced, ["actionrequests", "actionreviews"])
        add("airlock.dev", .cluster, ["approvalpolicies"])
        return table
    }()

    /// Short and singular names → the plural RBAC resource name.
    static let aliases: [String: String] = [
        "po": "pods", "pod": "pods", "svc": "services", "service": "services", "cm": "configmaps",
        "configmap": "configmaps", "secret": "secrets", "sa": "serviceaccounts", "serviceaccount": "serviceaccounts",
        "pvc": "persistentvolumeclaims", "persistentvolumeclaim": "persistentvolumeclaims", "ev": "events",
        "event": "events", "ep": "endpoints", "rc": "replicationcontrollers", "quota": "resourcequotas",
        "no": "nodes", "node": "nodes", "ns": "namespaces", "namespace": "namespaces", "pv": "persistentvolumes",
        "persistentvolume": "persistentvolumes", "deploy": "deployments", "deployment": "deployments",
        "sts": "statefulsets", "statefulset": "statefulsets", "ds": "daemonsets", "daemonset": "daemonsets",
        "rs": "replicasets", "replicaset": "replicasets", "job": "jobs", "cj": "cronjobs", "cronjob": "cronjobs",
        "ing": "ingresses", "ingress": "ingresses", "netpol": "networkpolicies", "networkpolicy": "networkpolicies",
        "role": "roles", "rolebinding": "rolebindings", "clusterrole": "clusterroles",
        "clusterrolebinding": "clusterrolebindings", "hpa": "horizontalpodautoscalers", "pdb": "poddisruptionbudgets",
        "lease": "leases", "sc": "storageclasses", "storageclass": "storageclasses",
        "crd": "customresourcedefinitions", "csr": "certificatesigningrequests", "pc": "priorityclasses",
        "areq": "actionrequests", "arev": "actionreviews", "apol": "approvalpolicies",
    ]

    /// Subresources recognised in the two-part form `RESOURCE/SUBRESOURCE` (`pods/log`).
    static let subresources: Set<String> = [
        "log", "exec", "attach", "portforward", "proxy", "status", "scale", "eviction", "binding", "token",
        "ephemeralcontainers", "finalize", "approval", "resize",
    ]

    /// Verbs accepted in `--allow`. Wildcards never are.
    static let verbs: [String] = [
        "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use", "bind", "escalate",
        "impersonate", "approve",
    ]
}
