import AirlockAPI
import AirlockChat
import Foundation
import KubeCore
import KubeTesting
import Testing

/// The demo's approval inbox in a real browser (headless Chromium from Debian, driven over
/// WebDriver): the card Airlock posted is on the page, and clicking its Approve button grants
/// the request — through the page's form, the inbox's Slack signature and Airlock's chat
/// listener, as a click in Slack would.
@Suite struct InboxBrowserTests {
    @Test func clickingApproveInTheBrowserGrantsTheRequest() async throws {
        try await ChatFixture.with("inbox") { chat in
            chat.slack.connectInbox(interactionURL: chat.url, reviewer: "U0BOB")
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let card = try await chat.card("fix-db")
            try await WebDriver.withBrowser(in: chat.airlock.plane.directory) { browser in
                try await browser.open(chat.slack.cardURL(ts: card.ts))
                let selector = "article[data-ts=\"\(card.ts)\"]"
                let shown = try await browser.text(try await browser.element(selector))
                #expect(shown.contains("fix-db") && shown.contains("alice"), "\(shown)")
                #expect(shown.contains("Approve") && shown.contains("Deny"), "\(shown)")
                let approve = try await browser.element("\(selector) button[data-action-id=\"approve\"]")
                try await browser.click(approve)
                let granted = try await chat.airlock.waitFor("fix-db", .granted)
                #expect(granted.status?.reviews?.first?.reviewer == "bob")
                #expect(granted.status?.reviews?.first?.channel == "slack")
                // The page follows: the card now says who approved and offers Revoke.
                try await eventually("the page shows the grant", timeout: .seconds(20)) {
                    let page = try await browser.source()
                    return page.contains("data-action-id=\"revoke\"") && page.contains("bob")
                }
            }
        }
    }

    /// A form POST without the page's token (another site in the same browser) clicks nothing.
    @Test func aClickWithoutThePagesTokenIsRefused() async throws {
        try await ChatFixture.with("inbox-csrf") { chat in
            chat.slack.connectInbox(interactionURL: chat.url, reviewer: "U0BOB")
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let card = try await chat.card("fix-db")
            let status = try await chat.slack.postInboxForm(
                "/inbox/click",
                ["channel": card.channel, "ts": card.ts, "action": "approve", "token": "guessed"])
            #expect(status == 403)
            #expect(try await chat.reviews(of: "fix-db").isEmpty)
            #expect(try await chat.airlock.get("fix-db").status?.phase == .pending)
        }
    }

    /// Deny opens the reason form (Slack's modal) on the page; submitting it denies with that reason.
    @Test func denyAsksForAReasonAndDenies() async throws {
        try await ChatFixture.with("inbox-deny") { chat in
            chat.slack.connectInbox(interactionURL: chat.url, reviewer: "U0BOB")
            try await chat.policy()
            try await chat.airlock.request("fix-db", by: "alice")
            let card = try await chat.card("fix-db")
            let clicked = try await chat.slack.inboxClick(SlackActionID.deny, channel: card.channel, ts: card.ts)
            #expect(clicked.status == 200, "\(clicked)")
            let view = try await eventuallyValue("the reason form", timeout: .seconds(10)) {
                chat.slack.openedViews.first
            }
            let submitted = try await chat.slack.inboxSubmit(
                view: view.id,
                values: [SlackActionID.denyReasonBlock: [SlackActionID.denyReasonAction: "not during the freeze"]])
            #expect(submitted.status == 200, "\(submitted)")
            let denied = try await chat.airlock.waitFor("fix-db", .denied)
            #expect(denied.status?.reviews?.first?.reviewer == "bob")
            #expect(denied.status?.reviews?.first?.comment == "not during the freeze")
        }
    }
}
