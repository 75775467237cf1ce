import BugZotDomain
import Foundation
import Testing

@Suite("Who hears about a change, and what they are told")
struct NotificationRulesTests {
    let policy = Policy()

    func comment(_ count: Int, private isPrivate: Bool = false, attachment: Int? = nil) -> Comment {
        Comment(
            id: 100 + count, bugID: 1, count: count, author: People.assignee, text: "comment \(count)", isPrivate: isPrivate,
            creationTime: Stage.now, attachment: attachment.map { .init(id: $0, isPrivate: false, creatorID: People.assignee.id) })
    }

    @Test("the audience is the assignee, reporter, QA contact, CC list and watchers, each once with their strongest reason")
    func audience() {
        let bug = Stage.bug(cc: [People.stranger, People.assignee])
        let audience = NotificationRules.audience(of: bug, watchers: [People.stranger, People.editor], policy: policy)
        let reasons = Dictionary(uniqueKeysWithValues: audience.map { ($0.user.login, $0.reason) })
        #expect(reasons == [
            People.assignee.login: .assignee, People.reporter.login: .reporter, People.qaContact.login: .qaContact,
            People.stranger.login: .cc, People.editor.login: .watcher,
        ])
    }

    @Test("people the change took off the bug (old assignee, removed CC) hear of it once more")
    func formerPeople() {
        let changes = [
            FieldChange(field: "assigned_to", removed: People.editor.login, added: People.assignee.login),
            FieldChange(field: "cc", removed: "\(People.stranger.login), \(People.insider.login)", added: ""),
            FieldChange(field: "priority", removed: "---", added: "High"),
        ]
        let former = NotificationRules.formerPeople(in: changes)
        #expect(former.map(\.login) == [People.editor.login, People.stranger.login, People.insider.login])
        #expect(former.map(\.reason) == [.assignee, .cc, .cc])
        let audience = NotificationRules.audience(
            of: Stage.bug(), watchers: [], former: [(People.editor, .assignee), (People.reporter, .cc)], policy: policy)
        #expect(audience.contains { $0.user == People.editor && $0.reason == .assignee })
        #expect(audience.first { $0.user == People.reporter }?.reason == .reporter)  // a stronger current reason wins
    }

    @Test("without QA contacts in use, the QA contact is not part of the audience")
    func noQAContact() {
        var policy = Policy()
        policy.useQAContact = false
        let audience = NotificationRules.audience(of: Stage.bug(), watchers: [], policy: policy)
        #expect(!audience.contains { $0.user == People.qaContact })
    }

    @Test("a change set's kinds come from its fields and comments")
    func kinds() {
        let changes = [
            FieldChange(field: "status", removed: "NEW", added: "ASSIGNED"), FieldChange(field: "cc", removed: "", added: "x"),
            FieldChange(field: "priority", removed: "---", added: "High"),
            FieldChange(field: "is_obsolete", removed: "0", added: "1", attachmentID: 9),
        ]
        let event = BugEvent(bugID: 1, actorID: 2, when: Stage.now, changes: changes, commentIDs: [101])
        #expect(NotificationRules.kinds(of: event, comments: [comment(1)]) == [.status, .cc, .otherFields, .attachment, .comment])
        let filed = BugEvent(bugID: 1, actorID: 2, when: Stage.now, isNew: true, commentIDs: [100])
        #expect(NotificationRules.kinds(of: filed, comments: [comment(0)]) == [.newBug])
    }

    @Test("someone hears of a change unless they opted out of every kind it has")
    func optOut() {
        #expect(NotificationRules.wants([.comment, .status], optedOut: [.comment]))
        #expect(!NotificationRules.wants([.comment], optedOut: [.comment, .cc]))
        #expect(NotificationRules.wants([.newBug], optedOut: []))
    }

    @Test("someone who can't see the bug is told nothing; private comments are for insiders")
    func view() {
        let secret = Stage.bug(groups: ["secret"])
        #expect(NotificationRules.view(bug: secret, changes: [], comments: [comment(1)], isNew: false, for: .stranger, policy: policy) == nil)
        let open = Stage.bug()
        let comments = [comment(1), comment(2, private: true)]
        let stranger = NotificationRules.view(bug: open, changes: [], comments: comments, isNew: false, for: .stranger, policy: policy)
        #expect(stranger?.comments.map(\.count) == [1])
        let insider = NotificationRules.view(bug: open, changes: [], comments: comments, isNew: false, for: .insider, policy: policy)
        #expect(insider?.comments.map(\.count) == [1, 2])
        // A change set made only of a private comment tells a non-insider nothing at all.
        #expect(NotificationRules.view(bug: open, changes: [], comments: [comment(2, private: true)], isNew: false, for: .stranger, policy: policy) == nil)
    }
}

@Suite("The mail BugZot writes")
struct MailComposerTests {
    let composer = MailComposer(siteURL: "https://bugs.example.com", mailDomain: "bugs.example.com")

    @Test("each bug is one thread: the new-bug message is the root every later one replies to")
    func threading() {
        let bug = Stage.bug()
        let filed = composer.bugChange(
            bug: bug, actor: People.reporter, changes: [], comments: [], isNew: true, to: People.assignee, reason: .assignee, eventKey: "7")
        let later = composer.bugChange(
            bug: bug, actor: People.reporter, changes: [FieldChange(field: "priority", removed: "---", added: "High")], comments: [],
            isNew: false, to: People.assignee, reason: .assignee, eventKey: "8")
        #expect(filed.messageID == "bug-1-2@bugs.example.com" && filed.inReplyTo == nil)
        #expect(later.inReplyTo == filed.messageID && later.references == [filed.messageID] && later.messageID != filed.messageID)
        #expect(filed.subject == "[Bug 1] New: The widget falls over" && later.subject == "[Bug 1] The widget falls over")
    }

    @Test("headers for filters: List-Id, product, component, reason, and the changed fields")
    func headers() {
        let mail = composer.bugChange(
            bug: Stage.bug(), actor: People.editor, changes: [FieldChange(field: "status", removed: "NEW", added: "ASSIGNED")],
            comments: [], isNew: false, to: People.reporter, reason: .reporter, eventKey: "1")
        let headers = Dictionary(uniqueKeysWithValues: mail.headers.map { ($0.name, $0.value) })
        #expect(headers["List-Id"] == "Widget <widget.bugs.example.com>")
        #expect(headers["X-BugZot-Product"] == "Widget" && headers["X-BugZot-Component"] == "Frontend")
        #expect(headers["X-BugZot-Reason"] == "Reporter" && headers["X-BugZot-Changed-Fields"] == "status")
        #expect(mail.text.contains("https://bugs.example.com/bug/1") && mail.text.contains("status"))
    }

    @Test("user text in the HTML part is escaped")
    func escaping() {
        var bug = Stage.bug()
        bug.summary = "<script>alert(1)</script>"
        let mail = composer.bugChange(
            bug: bug, actor: People.editor, changes: [], comments: [], isNew: true, to: People.reporter, reason: .reporter, eventKey: "1")
        #expect(mail.html?.contains("<script>") == false && mail.html?.contains("&lt;script&gt;") == true)
    }

    @Test("activation and reset mails carry their link")
    func accountMail() {
        #expect(composer.activation(to: "a@example.com", name: "A", token: "T0K").text.contains("https://bugs.example.com/activate?token=T0K"))
        #expect(composer.passwordReset(to: "a@example.com", name: "A", token: "T0K").text.contains("https://bugs.example.com/reset?token=T0K"))
    }
}

@Suite("What mail says about attachments: their comments follow the attachment's privacy")
struct AttachmentNotificationTests {
    @Test("a change set announcing a private attachment tells a non-insider nothing, and an insider everything")
    func privateAttachment() {
        let bug = Stage.bug()
        let announcement = Comment(
            id: 12, bugID: 1, count: 3, author: People.insider, text: "Created attachment 6\nSalaries", isPrivate: false,
            creationTime: Stage.now, attachment: .init(id: 6, isPrivate: true, creatorID: People.insider.id))
        #expect(NotificationRules.view(bug: bug, changes: [], comments: [announcement], isNew: false, for: .stranger, policy: Policy()) == nil)
        #expect(NotificationRules.view(bug: bug, changes: [], comments: [announcement], isNew: false, for: .insider, policy: Policy())?.comments == [announcement])
        let payload = WebhookPayload(
            bug: bug, actor: People.insider, when: Stage.now, isNew: false, changes: [], comments: [announcement], siteURL: "https://bugs.example.com")
        #expect(payload.comments.first?.isPrivate == true)
    }
}
