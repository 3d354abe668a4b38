import AirlockAPI

extension PolicyMatch {
    /// Whether the policy, with this match and `decision`, applies to `item` of a request made
    /// in `requestNamespace` by `requester`. Every criterion that is set must hold:
    ///
    /// - `requestNamespaces` lists the request's namespace; `requesters` matches the requester.
    /// - `targetNamespaces` lists the item's namespace. Cluster-wide access reaches every
    ///   namespace, so it is covered by a Deny policy's `targetNamespaces` and never by an
    ///   allowing policy's.
    /// - `resources` and `verbs` list the item's resource and verb (for a roleRef: of the rules
    ///   its role grants).
    /// - `clusterScope: false` covers only namespaced items. (Whether cluster-wide access is
    ///   *allowed* is decided by the evaluator: it needs an allowing policy with `true`.)
    ///
    /// Lists compare exactly: `*` in a match list is not a wildcard (omit the field instead).
    func covers(
        _ item: AccessItem, requestNamespace: String?, requester: Identity, decision: DecisionOutcome
    )
        -> Bool
    {
        if let namespaces = requestNamespaces, !namespaces.isEmpty {
            guard let requestNamespace, namespaces.contains(requestNamespace) else { return false }
        }
        if let requesters, !requesters.matches(requester) { return false }
        if let namespaces = targetNamespaces, !namespaces.isEmpty {
            if let namespace = item.namespace {
                guard namespaces.contains(namespace) else { return false }
            } else if decision != .deny {
                return false
            }
        }
        if clusterScope == false, item.isClusterScoped { return false }
        if let resources, !resources.isEmpty, !resources.contains(item.resource) { return false }
        if let verbs, !verbs.isEmpty, !verbs.contains(item.verb) { return false }
        return true
    }
}

extension RequesterMatch {
    /// Whether `identity` is one of the users, in one of the groups, or one of the service
    /// accounts (`namespace/name`, for the username `system:serviceaccount:namespace:name`).
    /// A match with every list empty matches anyone.
    public func matches(_ identity: Identity) -> Bool {
        let users = users ?? [], groups = groups ?? [], serviceAccounts = serviceAccounts ?? []
        if users.isEmpty && groups.isEmpty && serviceAccounts.isEmpty { return true }
        if users.contains(identity.username) { return true }
        if let own = identity.groups, own.contains(where: groups.contains) { return true }
        if let account = ServiceAccountUsername.parse(identity.username),
            serviceAccounts.contains("\(account.namespace)/\(account.name)")
        {
            return true
        }
        return false
    }
}

extension ReviewerSet {
    /// Whether `identity` is one of the users or in one of the groups. A set with both lists
    /// empty allows anyone.
    public func allows(_ identity: Identity) -> Bool {
        let users = users ?? [], groups = groups ?? []
        if users.isEmpty && groups.isEmpty { return true }
        if users.contains(identity.username) { return true }
        if let own = identity.groups, own.contains(where: groups.contains) { return true }
        return false
    }

    /// Whether the set names anyone (an empty set constrains nothing).
    var constrains: Bool { !(users ?? []).isEmpty || !(groups ?? []).isEmpty }
}
