import KubeCore

/// The parts of a Slack user (`users.info`) that identity mapping needs.
public struct SlackUser: Sendable, Hashable {
    /// `U0123…` or `W0123…`.
    public var id: String
    /// The handle (`name`).
    public var name: String?
    public var teamID: String?
    /// `profile.email` (needs the `users:read.email` scope).
    public var email: String?
    public var isDeleted: Bool
    public var isBot: Bool
    /// A guest (`is_restricted` or `is_ultra_restricted`).
    public var isGuest: Bool

    public init(
        id: String, name: String? = nil, teamID: String? = nil, email: String? = nil, isDeleted: Bool = false,
        isBot: Bool = false, isGuest: Bool = false
    ) {
        self.id = id
        self.name = name
        self.teamID = teamID
        self.email = email
        self.isDeleted = isDeleted
        self.isBot = isBot
        self.isGuest = isGuest
    }

    /// Reads the `user` object of a `users.info` answer.
    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue else { return nil }
        self.init(
            id: id, name: json["name"]?.stringValue, teamID: json["team_id"]?.stringValue,
            email: json["profile"]?["email"]?.stringValue, isDeleted: json["deleted"]?.boolValue ?? false,
            isBot: (json["is_bot"]?.boolValue ?? false) || (json["is_app_user"]?.boolValue ?? false),
            isGuest: (json["is_restricted"]?.boolValue ?? false) || (json["is_ultra_restricted"]?.boolValue ?? false))
    }
}
