import Foundation
import KubeCore

// Hand-written JSON for the records in ActionRequest's status (see ActionRequest+JSON.swift).

extension ReviewRecord: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var review: String??
        var reviewer: String?
        var decision: ReviewDecision?
        var at: Date?
        var channel: String?
        var comment: String??
        var duration: KubeDuration??
        var counted: Bool?
        var rejectedReason: String??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "review": try review.once(reader.readIfPresent())
            case "reviewer": try reviewer.once(reader.read())
            case "decision": try decision.once(reader.read())
            case "at": try at.once(reader.read())
            case "channel": try channel.once(reader.read())
            case "comment": try comment.once(reader.readIfPresent())
            case "duration": try duration.once(reader.readIfPresent())
            case "counted": try counted.once(reader.read())
            case "rejectedReason": try rejectedReason.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let reviewer, let decision, let at, let channel, let counted else { throw JSONReader.Unexpected() }
        self.review = review ?? nil
        self.reviewer = reviewer
        self.decision = decision
        self.at = at
        self.channel = channel
        self.comment = comment ?? nil
        self.duration = duration ?? nil
        self.counted = counted
        self.rejectedReason = rejectedReason ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("at", at)
            writer.member("channel", channel)
            writer.member("comment", comment)
            writer.member("counted", counted)
            writer.member("decision", decision)
            writer.member("duration", duration)
            writer.member("rejectedReason", rejectedReason)
            writer.member("review", review)
            writer.member("reviewer", reviewer)
        }
    }
}

extension RoleSnapshot: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var kind: TargetRoleRef.Kind?
        var name: String?
        var namespace: String??
        var rules: [PolicyRule]?
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "kind": try kind.once(reader.read())
            case "name": try name.once(reader.read())
            case "namespace": try namespace.once(reader.readIfPresent())
            case "rules": try rules.once(reader.read())
            default: try reader.skip(field)
            }
        }
        guard let kind, let name, let rules else { throw JSONReader.Unexpected() }
        self.kind = kind
        self.name = name
        self.namespace = namespace ?? nil
        self.rules = rules
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("kind", kind)
            writer.member("name", name)
            writer.member("namespace", namespace)
            writer.member("rules", rules)
        }
    }
}

extension GrantRef: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var apiVersion: String?
        var kind: String?
        var namespace: String??
        var name: String?
        var uid: String??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "apiVersion": try apiVersion.once(reader.read())
            case "kind": try kind.once(reader.read())
            case "namespace": try namespace.once(reader.readIfPresent())
            case "name": try name.once(reader.read())
            case "uid": try uid.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let apiVersion, let kind, let name else { throw JSONReader.Unexpected() }
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace ?? nil
        self.name = name
        self.uid = uid ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("apiVersion", apiVersion)
            writer.member("kind", kind)
            writer.member("name", name)
            writer.member("namespace", namespace)
            writer.member("uid", uid)
        }
    }
}

extension NotificationState: JSONReadable, JSONWritable {
    public init(json reader: inout JSONReader) throws(JSONReader.Unexpected) {
        var channel: String?
        var target: String??
        var messageRef: String??
        var delivered: Bool?
        var attempts: Int?
        var lastAttemptAt: Date??
        var lastError: String??
        var failures: Int??
        var retryAt: Date??
        var inDoubt: Bool??
        var card: String??
        var replies: [String]??
        var repliesInDoubt: [String]??
        var events: [String]??
        try reader.members { reader, field throws(JSONReader.Unexpected) in
            switch field {
            case "channel": try channel.once(reader.read())
            case "target": try target.once(reader.readIfPresent())
            case "messageRef": try messageRef.once(reader.readIfPresent())
            case "delivered": try delivered.once(reader.read())
            case "attempts": try attempts.once(reader.read())
            case "lastAttemptAt": try lastAttemptAt.once(reader.readIfPresent())
            case "lastError": try lastError.once(reader.readIfPresent())
            case "failures": try failures.once(reader.readIfPresent())
            case "retryAt": try retryAt.once(reader.readIfPresent())
            case "inDoubt": try inDoubt.once(reader.readIfPresent())
            case "card": try card.once(reader.readIfPresent())
            case "replies": try replies.once(reader.readIfPresent())
            case "repliesInDoubt": try repliesInDoubt.once(reader.readIfPresent())
            case "events": try events.once(reader.readIfPresent())
            default: try reader.skip(field)
            }
        }
        guard let channel, let delivered, let attempts else { throw JSONReader.Unexpected() }
        self.channel = channel
        self.target = target ?? nil
        self.messageRef = messageRef ?? nil
        self.delivered = delivered
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt ?? nil
        self.lastError = lastError ?? nil
        self.failures = failures ?? nil
        self.retryAt = retryAt ?? nil
        self.inDoubt = inDoubt ?? nil
        self.card = card ?? nil
        self.replies = replies ?? nil
        self.repliesInDoubt = repliesInDoubt ?? nil
        self.events = events ?? nil
    }

    public func write(json writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("attempts", attempts)
            writer.member("card", card)
            writer.member("channel", channel)
            writer.member("delivered", delivered)
            writer.member("events", events)
            writer.member("failures", failures)
            writer.member("inDoubt", inDoubt)
            writer.member("lastAttemptAt", lastAttemptAt)
            writer.member("lastError", lastError)
            writer.member("messageRef", messageRef)
            writer.member("replies", replies)
            writer.member("repliesInDoubt", repliesInDoubt)
            writer.member("retryAt", retryAt)
            writer.member("target", target)
        }
    }
}
