import KubeCore
import Testing

@testable import KubeTesting

/// The approval inbox renders what requesters typed (reasons, names) on a page with buttons
/// that approve: nothing typed may become markup or script.
@Suite struct InboxPageTests {
    static func page(_ blocks: [JSONValue], notices: [String] = []) -> String {
        let message = FakeSlackServer.Message(
            channel: "C0APPROVALS", ts: "1700000000.000001", text: "fallback", blocks: blocks, threadTS: nil,
            metadata: nil, updates: 0)
        return InboxPage.render(
            InboxPage.Content(
                messages: [message], views: [], notices: notices, reviewer: .init(id: "U0BOB", name: "bob"),
                connected: true, version: 3, formToken: "form-token"))
    }

    @Test func typedTextNeverBecomesMarkup() {
        let html = Self.page(
            [
                [
                    "type": "section",
                    "text": [
                        "type": "mrkdwn",
                        "text":
                            "*Reason:* &lt;script&gt;alert(1)&lt;/script&gt; <img src=x onerror=alert(2)> \"q\" `ns/name`",
                    ],
                ],
                [
                    "type": "actions", "block_id": "airlock_review",
                    "elements": [
                        [
                            "type": "button", "action_id": "approve\"><script>alert(3)</script>", "value": "ref",
                            "text": ["type": "plain_text", "text": "<b>Approve</b>"],
                        ]
                    ],
                ],
            ], notices: ["<script>alert(4)</script>"])
        for attack in ["<script>alert", "<img", "onerror=alert(2)>", "<b>Approve</b>", "\"><script>"] {
            #expect(!html.contains(attack), "\(attack) rendered as markup")
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<b>Reason:</b>"))
        #expect(html.contains("<code>ns/name</code>"))
        #expect(html.components(separatedBy: "<script>").count == 2, "only the page's own refresh script")
    }

    @Test func buttonsAreFormsCarryingTheCardAndTheToken() {
        let html = Self.page([
            ["type": "header", "text": ["type": "plain_text", "text": "Access request"]],
            [
                "type": "actions", "block_id": "airlock_review",
                "elements": [
                    [
                        "type": "button", "action_id": "approve", "style": "primary", "value": "ref",
                        "text": ["type": "plain_text", "text": "Approve"],
                    ],
                    [
                        "type": "static_select", "action_id": "approve_for",
                        "placeholder": ["type": "plain_text", "text": "Approve for less"],
                        "options": [["text": ["type": "plain_text", "text": "15 minutes"], "value": "15m|ref"]],
                    ],
                ],
            ],
        ])
        #expect(html.contains("<h2>Access request</h2>"))
        #expect(html.contains("id=\"card-1700000000.000001\""))
        #expect(html.contains("<button type=submit class=\"primary\" data-action-id=\"approve\">Approve</button>"))
        #expect(html.contains("<input type=hidden name=ts value=\"1700000000.000001\">"))
        #expect(html.contains("<input type=hidden name=token value=\"form-token\">"))
        #expect(html.contains("<option value=\"15m|ref\">15 minutes</option>"))
        #expect(html.contains("const seen = 3;"))
    }

    @Test func quotesAndEmojiShowAsSlackShowsThem() {
        let html = InboxPage.mrkdwn("*Reason*\n&gt; fix it &amp; go\n:warning: *Destructive*")
        #expect(html == "<b>Reason</b><br><q>fix it &amp; go</q><br>\u{26A0}\u{FE0F} <b>Destructive</b>")
    }
}
