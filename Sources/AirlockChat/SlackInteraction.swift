import Foundation
import KubeCore

/// An interaction payload Slack POSTs to the interactivity URL, parsed (after the signature
/// has been verified) from the form body's `payload` field.
public enum SlackInteraction: Sendable, Hashable {
    /// A click on a button or a select choice in a message.
    case blockActions(SlackBlockActions)
    /// A modal submitted.
    case viewSubmission(SlackViewSubmission)
    /// Any other type (`view_closed`, `shortcut`, ...): acknowledge and ignore.
    case other(type: String)
}

/// The Slack user who interacted.
public struct SlackUserRef: Sendable, Hashable {
    /// `U0123…`.
    public var id: String
    /// The handle, when Slack sends it.
    public var username: String?
    public var teamID: String?

    public init(id: String, username: String? = nil, teamID: String? = nil) {
        self.id = id
        self.username = username
        self.teamID = teamID
    }
}

/// A `block_actions` payload: who clicked what on which message.
public struct SlackBlockActions: Sendable, Hashable {
    public var user: SlackUserRef
    public var teamID: String?
    public var channelID: String?
    /// The `ts` of the message clicked on.
    public var messageTS: String?
    /// The message's blocks, as Slack echoes them.
    public var messageBlocks: [JSONValue]
    public var actions: [SlackAction]
    /// Opens a modal within 3 seconds, once.
    public var triggerID: String?
    /// Answers the click (ephemeral notes); 5 uses within 30 minutes.
    public var responseURL: String?

    public init(
        user: SlackUserRef, teamID: String?, channelID: String?, messageTS: String?, messageBlocks: [JSONValue] = [],
        actions: [SlackAction], triggerID: String?, responseURL: String?
    ) {
        self.user = user
        self.teamID = teamID
        self.channelID = channelID
        self.messageTS = messageTS
        self.messageBlocks = messageBlocks
        self.actions = actions
        self.triggerID = triggerID
        self.responseURL = responseURL
    }

    /// The message clicked on, when the click came from a message.
    public var message: SlackMessageRef? {
        guard let channelID, let messageTS else { return nil }
        return SlackMessageRef(channel: channelID, ts: messageTS)
    }
}

/// One action of a `block_actions` payload.
public struct SlackAction: Sendable, Hashable {
    public var actionID: String
    public var blockID: String?
    /// A button's `value`.
    public var value: String?
    /// A select's chosen option `value`.
    public var selectedOptionValue: String?
    /// When the click happened (`1700000000.123456`): unique per click.
    public var actionTS: String?

    public init(
        actionID: String, blockID: String? = nil, value: String? = nil, selectedOptionValue: String? = nil,
        actionTS: String? = nil
    ) {
        self.actionID = actionID
        self.blockID = blockID
        self.value = value
        self.selectedOptionValue = selectedOptionValue
        self.actionTS = actionTS
    }
}

/// A `view_submission` payload: a modal's inputs.
public struct SlackViewSubmission: Sendable, Hashable {
    public var user: SlackUserRef
    public var teamID: String?
    public var viewID: String?
    public var callbackID: String
    public var privateMetadata: String
    /// `view.state.values[block_id][action_id]`: the text typed, or the option chosen.
    public var values: [String: [String: String]]

    public init(
        user: SlackUserRef, teamID: String?, viewID: String?, callbackID: String, privateMetadata: String,
        values: [String: [String: String]]
    ) {
        self.user = user
        self.teamID = teamID
        self.viewID = viewID
        self.callbackID = callbackID
        self.privateMetadata = privateMetadata
        self.values = values
    }
}
