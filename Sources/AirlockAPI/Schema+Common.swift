import KubeCore

/// Schemas of values that appear in several resources.
extension Schema {
    /// Go duration syntax as `KubeDuration` writes and reads it (`15m`, `1h30m`, `90s`).
    public static let durationPattern = #"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"#
    /// A DNS-1123 label: what a namespace name is.
    public static let dnsLabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
    /// A DNS-1123 subdomain: what most object names are.
    public static let dnsSubdomainPattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#

    /// A positive duration in Go syntax.
    public static func duration(_ description: String) -> Schema {
        .string(
            description + #" Go duration syntax, e.g. "15m", "1h30m", "90s"."#, pattern: durationPattern, maxLength: 64
        )
        .rule("duration(self) > duration('0s')", message: "must be a positive duration")
    }

    /// An RFC 3339 timestamp.
    public static func timestamp(_ description: String) -> Schema {
        .string(description + " RFC 3339, UTC.", format: "date-time")
    }

    /// A namespace name.
    public static func namespace(_ description: String) -> Schema {
        .string(description, pattern: dnsLabelPattern, minLength: 1, maxLength: 63)
    }

    /// An object name that is a DNS-1123 subdomain.
    public static func objectName(_ description: String) -> Schema {
        .string(description, pattern: dnsSubdomainPattern, minLength: 1, maxLength: 253)
    }

    /// `metadata.generation` the status was computed from.
    public static let observedGeneration = Schema.integer(
        "The metadata.generation this status was computed from; when it is lower than metadata.generation the"
            + " controller has not yet seen the latest spec.",
        format: "int64", minimum: 0)

    /// Standard `metav1.Condition` list, keyed by `type` (`kubectl wait --for=condition=...`).
    public static func conditions(_ description: String) -> Schema {
        .array(
            description,
            of: .object(
                "Condition is one aspect of the object's current state (metav1.Condition).",
                required: ["type", "status", "lastTransitionTime", "reason", "message"],
                properties: [
                    "type": .string(
                        "Type of the condition, in CamelCase.",
                        pattern:
                            #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#,
                        maxLength: 316),
                    "status": {
                        var status = Schema.string("Status of the condition: True, False or Unknown.")
                        status.enumValues = ["True", "False", "Unknown"]
                        return status
                    }(),
                    "observedGeneration": .integer(
                        "The metadata.generation the condition was set from.", format: "int64", minimum: 0),
                    "lastTransitionTime": .timestamp("When the condition last changed from one status to another."),
                    "reason": .string(
                        "Machine-readable CamelCase reason for the condition's last transition.",
                        pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$", minLength: 1, maxLength: 1024),
                    "message": .string("Human-readable details about the transition; may be empty.", maxLength: 32768),
                ]),
            listType: .map(keys: ["type"]))
    }
}
