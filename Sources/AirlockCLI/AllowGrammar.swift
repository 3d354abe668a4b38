import AirlockAPI

/// The `--allow` grammar: one line of access, as a person would say it, turned into the exact
/// RBAC rules of `spec.permissions`.
///
/// ```
/// ALLOW    = VERBS TARGETS [SCOPE]           (whitespace-separated; SCOPE may come anywhere after VERBS)
/// VERBS    = VERB ["," VERB]...              get, list, watch, create, update, patch, delete,
///                                            deletecollection, use, bind, escalate, impersonate, approve
/// TARGETS  = TARGET ["," TARGET]...          (or several TARGET words)
/// TARGET   = RESOURCE["."GROUP] ["/" NAME] ["/" SUBRESOURCE]
///          | RESOURCE["."GROUP] "/" SUBRESOURCE     when SUBRESOURCE is a known one (log, exec, ...)
/// SCOPE    = "-n" NS | "--namespace" NS | "--namespace=" NS   one namespace
///          | "-A" | "--all-namespaces"                          cluster-wide
/// ```
///
/// - RESOURCE is the plural RBAC name (`pods`, not `pod` or `po`); GROUP is omitted for the
///   core group and required for every other (`deployments.apps`).
/// - Without a SCOPE the rule is cluster-wide, which is allowed only for resources known to be
///   cluster-scoped (`nodes`); anything else needs `-n NS`, or `-A` to ask cluster-wide on purpose.
/// - `create` and `deletecollection` cannot be limited to a NAME (RBAC ignores names there),
///   except on a subresource (`create pods/db-0/exec`).
/// - Wildcards (`*`) are refused: name the verbs and resources.
///
/// Each target becomes one rule (the names of one resource are merged); every verb applies to
/// every target.
public enum AllowGrammar {
    /// The rules one `--allow` string asks for, or a ``CLIUsageError`` naming what to fix.
    public static func parse(_ text: String) throws(CLIUsageError) -> [PermissionRule] {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let quoted = "--allow '\(text)'"
        guard let verbWord = words.first else {
            throw CLIUsageError("--allow is empty: write VERBS TARGET [-n NAMESPACE], e.g. 'delete pods/db-0 -n prod'")
        }
        let verbs = try parseVerbs(verbWord, in: quoted)

        var namespace: String?
        var allNamespaces = false
        var targetWords: [String] = []
        var index = 1
        while index < words.count {
            let word = words[index]
            switch word {
            case "-n", "--namespace":
                guard index + 1 < words.count else { throw CLIUsageError("\(quoted): \(word) needs a namespace") }
                guard namespace == nil else { throw CLIUsageError("\(quoted): give one namespace per --allow") }
                namespace = words[index + 1]
                index += 2
                continue
            case "-A", "--all-namespaces":
                allNamespaces = true
            default:
                if word.hasPrefix("--namespace=") {
                    guard namespace == nil else { throw CLIUsageError("\(quoted): give one namespace per --allow") }
                    namespace = String(word.dropFirst("--namespace=".count))
                } else if word.hasPrefix("-") {
                    throw CLIUsageError("\(quoted): unknown flag \(word); only -n NAMESPACE and -A are understood")
                } else {
                    targetWords.append(word)
                }
            }
            index += 1
        }
        if let namespace {
            guard !allNamespaces else { throw CLIUsageError("\(quoted): give either -n NAMESPACE or -A, not both") }
            guard Names.isDNSLabel(namespace) else {
                throw CLIUsageError(
                    "\(quoted): \"\(namespace)\" is not a namespace name (lowercase letters, digits, '-')")
            }
        }
        let targets = try targetWords.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { target throws(CLIUsageError) in try parseTarget(String(target), in: quoted) }
        guard !targets.isEmpty else {
            throw CLIUsageError("\(quoted): name what to \(verbs.joined(separator: ",")): e.g. pods/db-0 -n prod")
        }
        for target in targets {
            try checkScope(target, namespace: namespace, allNamespaces: allNamespaces, in: quoted)
            try checkNames(target, verbs: verbs, in: quoted)
        }
        return rules(verbs: verbs, targets: targets, namespace: namespace)
    }

    /// Every `--allow` string's rules, in order.
    public static func parse(_ texts: [String]) throws(CLIUsageError) -> [PermissionRule] {
        var rules: [PermissionRule] = []
        for text in texts { rules += try parse(text) }
        return rules
    }

    /// One target: a resource of a group, maybe one object, maybe a subresource.
    struct Target: Equatable {
        var resource: String
        var group: String
        var name: String?
        var subresource: String?
        /// Known scope of the resource, nil when unknown (custom resources).
        var scope: KnownResources.Scope?

        var rbacResource: String { subresource.map { "\(resource)/\($0)" } ?? resource }
    }

    static func parseVerbs(_ word: String, in quoted: String) throws(CLIUsageError) -> [String] {
        var verbs: [String] = []
        for verb in word.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if verb.contains("*") {
                throw CLIUsageError("\(quoted): wildcards are never granted: name the verbs (get, list, delete, ...)")
            }
            guard KnownResources.verbs.contains(verb) else {
                if verb.isEmpty { throw CLIUsageError("\(quoted): empty verb in \"\(word)\"") }
                throw CLIUsageError(
                    "\(quoted): unknown verb \"\(verb)\"; verbs come first: "
                        + KnownResources.verbs.joined(separator: ", "))
            }
            if !verbs.contains(verb) { verbs.append(verb) }
        }
        return verbs
    }

    static func parseTarget(_ text: String, in quoted: String) throws(CLIUsageError) -> Target {
        if text.contains("*") {
            throw CLIUsageError("\(quoted): wildcards are never granted: name the resource and object")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw CLIUsageError(
                "\(quoted): \"\(text)\" is not RESOURCE[.GROUP][/NAME][/SUBRESOURCE] (e.g. pods/db-0, pods/log)")
        }
        var target = try parseResource(parts[0], in: quoted)
        if parts.count == 2 {
            if KnownResources.subresources.contains(parts[1]) {
                target.subresource = parts[1]
            } else {
                target.name = parts[1]
            }
        } else if parts.count == 3 {
            target.name = parts[1]
            guard Names.isWord(parts[2]) else {
                throw CLIUsageError("\(quoted): \"\(parts[2])\" is not a subresource name (lowercase letters)")
            }
            target.subresource = parts[2]
        }
        if let name = target.name, !Names.isObjectName(name) {
            throw CLIUsageError("\(quoted): \"\(name)\" is not an object name")
        }
        return target
    }

    static func parseResource(_ text: String, in quoted: String) throws(CLIUsageError) -> Target {
        let resource: String
        let group: String?
        if let dot = text.firstIndex(of: ".") {
            resource = String(text[..<dot])
            group = String(text[text.index(after: dot)...])
        } else {
            resource = text
            group = nil
        }
        guard Names.isWord(resource) else {
            throw CLIUsageError("\(quoted): \"\(resource)\" is not a resource name (lowercase plural, e.g. pods)")
        }
        if let plural = KnownResources.aliases[resource] {
            let spelled = KnownResources.entries[plural].map { $0.group.isEmpty ? plural : "\(plural).\($0.group)" }
            throw CLIUsageError(
                "\(quoted): RBAC needs the plural resource name: write \(spelled ?? plural), not \(resource)")
        }
        let known = KnownResources.entries[resource]
        if let group {
            guard Names.isDNSSubdomain(group) else {
                throw CLIUsageError("\(quoted): \"\(group)\" is not an API group name")
            }
            if let known, known.group != group, !group.contains(".") || known.group.isEmpty {
                let spelled = known.group.isEmpty ? resource : "\(resource).\(known.group)"
                throw CLIUsageError("\(quoted): \(resource) are in API group \"\(known.group)\": write \(spelled)")
            }
            let scope = known?.group == group ? known?.scope : nil
            return Target(resource: resource, group: group, scope: scope)
        }
        guard let known else {
            throw CLIUsageError(
                "\(quoted): \"\(resource)\" is not a core resource: write RESOURCE.GROUP for other API groups"
                    + " (deployments.apps, widgets.example.com)")
        }
        guard known.group.isEmpty else {
            throw CLIUsageError(
                "\(quoted): \(resource) are in API group \(known.group): write \(resource).\(known.group)")
        }
        return Target(resource: resource, group: "", scope: known.scope)
    }

    static func checkScope(
        _ target: Target, namespace: String?, allNamespaces: Bool, in quoted: String
    ) throws(CLIUsageError) {
        let spelled = target.group.isEmpty ? target.resource : "\(target.resource).\(target.group)"
        switch target.scope {
        case .cluster:
            if namespace != nil {
                throw CLIUsageError("\(quoted): \(spelled) are cluster-scoped: drop -n")
            }
        case .namespaced, nil:
            if namespace == nil, !allNamespaces {
                let what = target.scope == .namespaced ? "\(spelled) are namespaced" : "\(spelled): scope unknown"
                throw CLIUsageError(
                    "\(quoted): \(what): add -n NAMESPACE inside the quotes (or -A to ask cluster-wide)")
            }
        }
    }

    static func checkNames(_ target: Target, verbs: [String], in quoted: String) throws(CLIUsageError) {
        guard let name = target.name, target.subresource == nil else { return }
        for verb in ["create", "deletecollection"] where verbs.contains(verb) {
            throw CLIUsageError(
                "\(quoted): \(verb) cannot be limited to one object (RBAC ignores names for it): drop /\(name)")
        }
    }

    /// One rule per resource (and subresource), with the names asked for it merged; a target
    /// without a name widens its resource's rule to every object.
    static func rules(verbs: [String], targets: [Target], namespace: String?) -> [PermissionRule] {
        var order: [String] = []
        var byKey: [String: (group: String, resource: String, names: [String]?)] = [:]
        for target in targets {
            let key = "\(target.group)|\(target.rbacResource)"
            if var existing = byKey[key] {
                if let name = target.name, existing.names != nil {
                    if !existing.names!.contains(name) { existing.names!.append(name) }
                } else {
                    existing.names = nil
                }
                byKey[key] = existing
            } else {
                order.append(key)
                byKey[key] = (target.group, target.rbacResource, target.name.map { [$0] })
            }
        }
        return order.map { key in
            let entry = byKey[key]!
            return PermissionRule(
                namespace: namespace, apiGroups: [entry.group], resources: [entry.resource], verbs: verbs,
                resourceNames: entry.names)
        }
    }
}

/// Name checks shared by the grammars.
enum Names {
    static func isWord(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
    }

    /// RFC 1123 label: what a namespace name is.
    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63, let first = text.first, let last = text.last else { return false }
        let allowed = text.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
        return allowed && first != "-" && last != "-"
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        text.count <= 253
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
                isDNSLabel(String($0))
            }
    }

    /// Object names: most are DNS subdomains, but RBAC objects may hold `:` (`system:foo`).
    static func isObjectName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253
            && text.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || "-.:_@".contains($0)
                    || ($0 >= "A" && $0 <= "Z")
            }
    }
}
