import Foundation
import KubeCore

// Hand-written JSON for ActionRequest's status (see ActionRequest+JSON.swift).

extension ActionRequestStatus: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var phase: ActionRequestPhase??
        var conditions: [Condition]??
        var decision: PolicyDecision??
        var reviews: [ReviewRecord]??
        var roleSnapshot: RoleSnapshot??
        var rejectedReviews: Int??
        var requesterOwner: String??
        var grantedAt: Date??
        var expiresAt: Date??
        var pendingDeadline: Date??
        var grants: [GrantRef]??
        var credentialSecretName: String??
        var notifications: [NotificationState]??
        var observedGeneration: Int64??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "phase": try phase.once(reader.readIfPresent())
            case "conditions": try conditions.once(reader.readIfPresent())
            case "decision": try decision.once(reader.readIfPresent())
            case "reviews": try reviews.once(reader.readIfPresent())
            case "roleSnapshot": try roleSnapshot.once(reader.readIfPresent())
            case "rejectedReviews": try rejectedReviews.once(reader.readIfPresent())
            case "requesterOwner": try requesterOwner.once(reader.readIfPresent())
            case "grantedAt": try grantedAt.once(reader.readIfPresent())
            case "expiresAt": try expiresAt.once(reader.readIfPresent())
            case "pendingDeadline": try pendingDeadline.once(reader.readIfPresent())
            case "grants": try grants.once(reader.readIfPresent())
            case "credentialSecretName": try credentialSecretName.once(reader.readIfPresent())
            case "notifications": try notifications.once(reader.readIfPresent())
            case "observedGeneration": try observedGeneration.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        self.phase = phase ?? nil
        self.conditions = conditions ?? nil
        self.decision = decision ?? nil
        self.reviews = reviews ?? nil
        self.roleSnapshot = roleSnapshot ?? nil
        self.rejectedReviews = rejectedReviews ?? nil
        self.requesterOwner = requesterOwner ?? nil
        self.grantedAt = grantedAt ?? nil
        self.expiresAt = expiresAt ?? nil
        self.pendingDeadline = pendingDeadline ?? nil
        self.grants = grants ?? nil
        self.credentialSecretName = credentialSecretName ?? nil
        self.notifications = notifications ?? nil
        self.observedGeneration = observedGeneration ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("conditions", conditions)
            writer.member("credentialSecretName", credentialSecretName)
            writer.member("decision", decision)
            writer.member("expiresAt", expiresAt)
            writer.member("grantedAt", grantedAt)
            writer.member("grants", grants)
            writer.member("notifications", notifications)
            writer.member("observedGeneration", observedGeneration)
            writer.member("pendingDeadline", pendingDeadline)
            writer.member("phase", phase)
            writer.member("rejectedReviews", rejectedReviews)
            writer.member("requesterOwner", requesterOwner)
            writer.member("reviews", reviews)
            writer.member("roleSnapshot", roleSnapshot)
        }
    }
}

extension PolicyDecision: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var policies: [String]??
        var outcome: DecisionOutcome?
        var requiredApprovals: Int??
        var maxDuration: KubeDuration??
        var reviewers: [ReviewerSet]??
        var pendingTimeout: KubeDuration??
        var at: Date??
        var notify: NotificationRecipients??
        var reason: String??
        var message: String??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "policies": try policies.once(reader.readIfPresent())
            case "outcome": try outcome.once(reader.read())
            case "requiredApprovals": try requiredApprovals.once(reader.readIfPresent())
            case "maxDuration": try maxDuration.once(reader.readIfPresent())
            case "reviewers": try reviewers.once(reader.readIfPresent())
            case "pendingTimeout": try pendingTimeout.once(reader.readIfPresent())
            case "at": try at.once(reader.readIfPresent())
            case "notify": try notify.once(reader.readIfPresent())
            case "reason": try reason.once(reader.readIfPresent())
            case "message": try message.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let outcome else { throw JSONReader.Unexpected() }
        self.policies = policies ?? nil
        self.outcome = outcome
        self.requiredApprovals = requiredApprovals ?? nil
        self.maxDuration = maxDuration ?? nil
        self.reviewers = reviewers ?? nil
        self.pendingTimeout = pendingTimeout ?? nil
        self.at = at ?? nil
        self.notify = notify ?? nil
        self.reason = reason ?? nil
        self.message = message ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("at", at)
            writer.member("maxDuration", maxDuration)
            writer.member("message", message)
            writer.member("notify", notify)
            writer.member("outcome", outcome)
            writer.member("pendingTimeout", pendingTimeout)
            writer.member("policies", policies)
            writer.member("reason", reason)
            writer.member("requiredApprovals", requiredApprovals)
            writer.member("reviewers", reviewers)
        }
    }
}

extension ReviewerSet: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var users: [String]??
        var groups: [String]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "users": try users.once(reader.readIfPresent())
            case "groups": try groups.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        self.users = users ?? nil
        self.groups = groups ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("groups", groups)
            writer.member("users", users)
        }
    }
}

extension NotificationRecipients: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var slackChannels: [String]??
        var teamsConversations: [TeamsConversationRef]??
        var teamsWebhookSecrets: [SecretKeyRef]??
        var webhookSecrets: [SecretKeyRef]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "slackChannels": try slackChannels.once(reader.readIfPresent())
            case "teamsConversations": try teamsConversations.once(reader.readIfPresent())
            case "teamsWebhookSecrets": try teamsWebhookSecrets.once(reader.readIfPresent())
            case "webhookSecrets": try webhookSecrets.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        self.slackChannels = slackChannels ?? nil
        self.teamsConversations = teamsConversations ?? nil
        self.teamsWebhookSecrets = teamsWebhookSecrets ?? nil
        self.webhookSecrets = webhookSecrets ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("slackChannels", slackChannels)
            writer.member("teamsConversations", teamsConversations)
            writer.member("teamsWebhookSecrets", teamsWebhookSecrets)
            writer.member("webhookSecrets", webhookSecrets)
        }
    }
}

extension TeamsConversationRef: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var serviceUrl: String?
        var conversationId: String?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "serviceUrl": try serviceUrl.once(reader.read())
            case "conversationId": try conversationId.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let serviceUrl, let conversationId else { throw JSONReader.Unexpected() }
        self.serviceUrl = serviceUrl
        self.conversationId = conversationId
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("conversationId", conversationId)
            writer.member("serviceUrl", serviceUrl)
        }
    }
}

extension SecretKeyRef: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var name: String?
        var key: String?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "name": try name.once(reader.read())
            case "key": try key.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let name, let key else { throw JSONReader.Unexpected() }
        self.name = name
        self.key = key
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("key", key)
            writer.member("name", name)
        }
    }
}
