import BugZotDomain
import BugZotStorage
import Foundation

/// Turns each change set into one message for each person involved who may see it and wants it,
/// and one delivery for each webhook that asked for it. Runs as the handler of `bug_event` jobs,
/// so no web request ever waits for it.
public struct NotificationService: Sendable {
    let database: any Database
    let bugs: BugService
    let policy: Policy

    public init(database: any Database, bugs: BugService, policy: Policy) {
        self.database = database
        self.bugs = bugs
        self.policy = policy
    }

    /// Queues the messages for one `bug_event` job. Each is keyed by the job and the recipient, so
    /// running the job again (after a crash) queues nothing twice.
    public func fanOut(_ job: Job, mail: MailComposer) async throws {
        let event = try Outbox.decode(BugEvent.self, from: job.payload)
        try await database.transaction { sql in
            let store = SQLStore(sql)
            // The change set is read once; each recipient's view is cut from it in memory.
            guard let changeSet = try await bugs.changeSets(of: [event], store: store).first ?? nil else { return }
            let (bug, actor, comments) = (changeSet.bug, changeSet.actor, changeSet.comments)
            let component = try await bugs.snapshots.current(in: store).product(named: bug.product)?.component(named: bug.component)
            let watchers = if let component { try await store.watchers(ofComponent: component.id) } else { [UserSummary]() }
            let formerRoles = NotificationRules.formerPeople(in: event.changes)
            let formerPeople = try await store.userSummaries(logins: formerRoles.map(\.login))
            let former = formerRoles.compactMap { role in formerPeople[role.login.lowercased()].map { ($0, role.reason) } }
            let audience = NotificationRules.audience(of: bug, watchers: watchers, former: former, policy: policy)
                .filter { $0.user.id != actor.id }
            let accounts = try await store.users(ids: audience.map(\.user.id))
            let optOuts = try await store.mailOptOuts(userIDs: audience.map(\.user.id))
            let kinds = NotificationRules.kinds(of: event, comments: comments)
            for (person, reason) in audience {
                guard let account = accounts.first(where: { $0.id == person.id }), account.isEnabled,
                    NotificationRules.wants(kinds, optedOut: optOuts[account.id] ?? []),
                    let view = changeSet.seen(by: Self.principal(of: account), policy: policy)
                else { continue }
                var content = mail.bugChange(
                    bug: view.bug, actor: actor, changes: view.changes, comments: view.comments, isNew: event.isNew,
                    to: account.summary, reason: reason, eventKey: String(job.id))
                content.disclosure = Disclosure(recipientID: account.id, bugID: bug.id, comments: view.comments, changes: view.changes)
                try await Outbox.mail(content, key: "mail:\(job.id):\(account.id)", in: store)
            }
            let name = WebhookPayload.event(isNew: event.isNew, changes: event.changes)
            for hook in try await store.webhooks() where hook.isActive && hook.events.contains(name) && (hook.product ?? bug.product) == bug.product {
                guard let owner = try await store.users(ids: [hook.ownerID]).first, owner.isEnabled,
                    let view = changeSet.seen(by: Self.principal(of: owner), policy: policy)
                else { continue }
                let payload = WebhookPayload(
                    bug: view.bug, actor: actor, when: event.when, isNew: event.isNew, changes: view.changes, comments: view.comments,
                    siteURL: mail.siteURL)
                try await Outbox.webhook(
                    WebhookJob(
                        webhookID: hook.id, event: payload.event, body: try Outbox.encode(payload),
                        disclosure: Disclosure(recipientID: owner.id, bugID: bug.id, comments: view.comments, changes: view.changes)),
                    key: "webhook:\(job.id):\(hook.id)", in: store)
            }
        }
    }

    /// Whether a queued message may still go out: its recipient's account is enabled and may
    /// still see the bug and every comment and attachment the message tells of, as they are now.
    /// Messages without a disclosure (account mail) always may.
    public func maySend(_ disclosure: Disclosure?) async throws -> Bool {
        guard let disclosure else { return true }
        return try await database.read { sql in
            let store = SQLStore(sql)
            guard let account = try await store.users(ids: [disclosure.recipientID]).first, account.isEnabled else { return false }
            let principal = Self.principal(of: account)
            guard try await bugs.visibleIDs([disclosure.bugID], store: store, by: principal).contains(disclosure.bugID) else { return false }
            let comments = try await store.comments(ids: disclosure.commentIDs)
            let attachments = try await store.attachments(ids: disclosure.attachmentIDs)
            return comments.count == Set(disclosure.commentIDs).count && attachments.count == Set(disclosure.attachmentIDs).count
                && comments.allSatisfy { $0.bugID == disclosure.bugID && Visibility.canSee($0, principal, policy: policy) }
                && attachments.allSatisfy { $0.bugID == disclosure.bugID && AttachmentRules.canSee($0, principal, policy: policy) }
        }
    }

    private static func principal(of account: User) -> Principal {
        Principal(user: account.summary, groups: Set(account.groups.map(\.name)))
    }
}
