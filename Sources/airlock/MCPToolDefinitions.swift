import AirlockCLI
import KubeCore

/// The tools `airlock mcp` offers, with descriptions written for a model: when to call each,
/// and what happens.
enum MCPToolDefinitions {
    static let serverInstructions = """
        Airlock gives you Kubernetes access only for one approved action and a limited time. You have no \
        standing privileges: when a kubectl/API call is forbidden, or before any change to a cluster, call \
        request_access with exactly the access the next step needs (one verb on one object where you can), \
        how long you need it, and why. Then call wait_for_decision. Use the access only if it says granted; \
        a denial, an expiry or a timeout means you do not have it — never retry the action without it. \
        Call release_access as soon as you are done.
        """

    static let allowGrammar = """
        Each entry is one line in Airlock's --allow grammar: 'VERBS TARGETS -n NAMESPACE'. \
        VERBS: comma-separated from get, list, watch, create, update, patch, delete, deletecollection (no *). \
        TARGETS: comma-separated RESOURCE[.GROUP][/NAME][/SUBRESOURCE] with the plural resource name; add .GROUP \
        for every non-core API group (deployments.apps); RESOURCE/SUBRESOURCE for known subresources (pods/log, \
        pods/exec). -n NAMESPACE is where the access applies; omit it only for cluster-scoped resources (nodes), \
        or write -A to ask cluster-wide. Examples: 'delete pods/db-0 -n prod', 'get,list pods -n prod', \
        'patch deployments.apps/web -n prod', 'get pods/log -n prod', 'get nodes'.
        """

    static let namespaceProperty: JSONValue = .object([
        "type": "string",
        "description":
            "Namespace of the ActionRequest (your agent's namespace); default: the kubeconfig context's or the pod's.",
    ])

    static let nameProperty: JSONValue = .object([
        "type": "string", "description": "Name of the ActionRequest, as returned by request_access.",
    ])

    static func schema(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        .object([
            "type": "object",
            "properties": .object(properties),
            "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ])
    }

    static let tools: [MCPTool] = [
        MCPTool(
            name: "request_access",
            description: """
                Ask for temporary Kubernetes access for one action. Call it when you need a permission you do not \
                have (a forbidden error, or before a change). Ask for the least: the exact verb and object. It \
                creates an ActionRequest and returns its name and whether it was auto-approved (access is being \
                granted now) or waits for human reviewers (who they are), or was denied at once (with the reason). \
                It does not wait for reviewers: call wait_for_decision next. Nothing is granted before that says \
                granted.
                """,
            inputSchema: schema(
                [
                    "allow": .object([
                        "type": "array", "items": .object(["type": "string"]), "description": .string(allowGrammar),
                    ]),
                    "role": .object([
                        "type": "string",
                        "description":
                            "Instead of (or besides) allow: an existing role, 'ClusterRole/view -n prod' or 'Role/NAME -n NS'.",
                    ]),
                    "duration": .object([
                        "type": "string",
                        "description":
                            "How long the access should last once granted, e.g. '15m', '1h'. Ask for little.",
                    ]),
                    "reason": .object([
                        "type": "string",
                        "description": "Why you need it, for the human reviewer: what you will do and why.",
                    ]),
                    "ticket": .object(["type": "string", "description": "Optional ticket or incident reference."]),
                    "credential": .object([
                        "type": "string", "enum": ["Ephemeral", "Subject"],
                        "description":
                            "Ephemeral (default): a fresh ServiceAccount and a kubeconfig file for it. Subject: your own identity is bound.",
                    ]),
                    "namespace": namespaceProperty,
                ], required: ["duration", "reason"]),
            annotations: .init(
                title: "Request temporary access", readOnlyHint: false, destructiveHint: false, idempotentHint: false,
                openWorldHint: false)),
        MCPTool(
            name: "wait_for_decision",
            description: """
                Wait (up to timeout_seconds) until a request is decided. Returns granted=true with when it expires \
                and where the credential is (with kubeconfig_path, the kubeconfig file to use: \
                `kubectl --kubeconfig PATH ...`). Returns granted=false with phase and reason when it was denied \
                (with the reviewers' comments), expired unreviewed, revoked or failed — then you do not have the \
                access. If still undecided at the timeout it returns phase Pending, reason TimedOut, granted=false: \
                silence is never consent; call it again to keep waiting, or release_access to give up.
                """,
            inputSchema: schema(
                [
                    "name": nameProperty,
                    "timeout_seconds": .object([
                        "type": "integer", "minimum": 1, "maximum": 3600,
                        "description": "How long to wait at most (default 120).",
                    ]),
                    "kubeconfig_path": .object([
                        "type": "string",
                        "description":
                            "Where to write the credential's kubeconfig (mode 0600) once granted (credential Ephemeral). The token is never returned.",
                    ]),
                    "namespace": namespaceProperty,
                ], required: ["name"]),
            annotations: .init(title: "Wait for the decision", readOnlyHint: true, openWorldHint: false)),
        MCPTool(
            name: "get_request",
            description: """
                Show one request now, without waiting: phase, what it asks, the decision and why, reviews (which \
                counted), approvals so far, time left, grants.
                """,
            inputSchema: schema(["name": nameProperty, "namespace": namespaceProperty], required: ["name"]),
            annotations: .init(title: "Show a request", readOnlyHint: true, openWorldHint: false)),
        MCPTool(
            name: "list_my_requests",
            description: """
                List the requests you made in the namespace: pending first, then granted, then finished (with \
                include_finished). Use it to find a request you made earlier before asking again.
                """,
            inputSchema: schema([
                "include_finished": .object([
                    "type": "boolean",
                    "description": "Also list denied, expired, revoked and failed ones (default false).",
                ]),
                "namespace": namespaceProperty,
            ]),
            annotations: .init(title: "List my requests", readOnlyHint: true, openWorldHint: false)),
        MCPTool(
            name: "release_access",
            description: """
                Give access back as soon as you are done (or withdraw a request still pending). Its grants are \
                deleted at once; the request ends Revoked (Released or Withdrawn).
                """,
            inputSchema: schema(
                [
                    "name": nameProperty,
                    "comment": .object(["type": "string", "description": "Optional: what was done."]),
                    "namespace": namespaceProperty,
                ], required: ["name"]),
            annotations: .init(
                title: "Release access", readOnlyHint: false, destructiveHint: false, idempotentHint: true,
                openWorldHint: false)),
    ]
}
