/// The stable `action_id`s and ids of Airlock's Slack elements. Changing one breaks the
/// buttons of cards already posted.
public enum SlackActionID {
    /// Approve for the duration asked (button, `value` = request reference).
    public static let approve = "approve"
    /// Approve for a shorter duration (static select; option `value` = `<duration>|<reference>`,
    /// or `<duration>` alone when that would not fit Slack's 150 characters).
    public static let approveFor = "approve_for"
    /// Deny: opens the reason modal (button, `value` = request reference).
    public static let deny = "deny"
    /// Revoke a granted request now (button, `value` = request reference).
    public static let revoke = "revoke"
    /// `callback_id` of the deny modal.
    public static let denyModalCallback = "airlock_deny"
    /// Block and action id of the deny modal's reason input.
    public static let denyReasonBlock = "reason"
    public static let denyReasonAction = "reason"
    /// Block ids of the card's action rows.
    public static let reviewBlock = "airlock_review"
    public static let grantedBlock = "airlock_granted"
}
