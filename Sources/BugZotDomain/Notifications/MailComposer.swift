import Foundation

/// The emails BugZot sends: about a bug's change set, and about people's accounts (activation,
/// password reset).
public struct MailComposer: Sendable {
    /// The site's address, for links (`https://bugs.example.com`).
    public var siteURL: String
    /// The host part of Message-IDs and List-Ids.
    public var mailDomain: String

    public init(siteURL: String, mailDomain: String) {
        self.siteURL = siteURL
        self.mailDomain = mailDomain
    }

    /// The message telling one person about one change set. Each bug is one thread in their
    /// mailbox: the message about the new bug is the root that every later one replies to.
    /// `eventKey` tells change sets apart (the job's id), so every message has its own Message-ID.
    public func bugChange(
        bug: Bug, actor: UserSummary, changes: [FieldChange], comments: [Comment], isNew: Bool,
        to recipient: UserSummary, reason: MailReason, eventKey: String
    ) -> MailContent {
        let link = "\(siteURL)/bug/\(bug.id)"
        let root = "bug-\(bug.id)-\(recipient.id)@\(mailDomain)"
        let subject = "[Bug \(bug.id)] " + (isNew ? "New: " : "") + bug.summary
        var text = "\(link)\n\n"
        var html = "<p><a href=\"\(HTML.escape(link))\">Bug \(bug.id)</a>: \(HTML.escape(bug.summary))</p>\n"
        if isNew {
            let facts = [
                ("Product", bug.product), ("Component", bug.component), ("Version", bug.version), ("Status", bug.status),
                ("Severity", bug.severity), ("Priority", bug.priority), ("Reporter", bug.reporter.login),
                ("Assignee", bug.assignedTo.login),
            ]
            text += facts.map { "\(pad($0.0, 14)) \($0.1)" }.joined(separator: "\n") + "\n\n"
            html += "<table>" + facts.map { "<tr><th>\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>" }.joined() + "</table>\n"
        }
        if !changes.isEmpty {
            text += "\(displayName(actor)) changed:\n\n"
            text += "\(pad("What", 20)) |\(pad("Removed", 28)) |Added\n" + String(repeating: "-", count: 72) + "\n"
            for change in changes {
                text += "\(pad(change.field, 20)) |\(pad(change.removed, 28)) |\(change.added)\n"
            }
            text += "\n"
            html += "<p>\(HTML.escape(displayName(actor))) changed:</p>\n<table><tr><th>What</th><th>Removed</th><th>Added</th></tr>"
                + changes.map { "<tr><td>\(HTML.escape($0.field))</td><td>\(HTML.escape($0.removed))</td><td>\(HTML.escape($0.added))</td></tr>" }.joined()
                + "</table>\n"
        }
        for comment in comments {
            let heading = comment.count == 0 ? "Description" : "Comment #\(comment.count)"
            text += "--- \(heading) from \(displayName(comment.author)) ---\n\(comment.text)\n\n"
            html += "<h3><a href=\"\(HTML.escape(link))#c\(comment.count)\">\(HTML.escape(heading))</a> from \(HTML.escape(displayName(comment.author)))</h3>\n"
                + "<pre>\(HTML.escape(comment.text))</pre>\n"
        }
        text += "--\nYou are receiving this mail because: \(reason.explanation)\nChange what you receive: \(siteURL)/account\n"
        html += "<hr><p>You are receiving this mail because: \(HTML.escape(reason.explanation))</p>"
        let fields = Set(changes.map(\.field)).sorted().joined(separator: " ")
        var headers: [MailContent.Header] = [
            .init("List-Id", "\(bug.product) <\(listLabel(bug.product)).\(mailDomain)>"),
            .init("X-BugZot-Product", bug.product), .init("X-BugZot-Component", bug.component),
            .init("X-BugZot-Status", bug.status), .init("X-BugZot-Severity", bug.severity),
            .init("X-BugZot-Priority", bug.priority), .init("X-BugZot-Reason", reason.rawValue),
            .init("X-BugZot-Who", actor.login), .init("X-BugZot-URL", link),
        ]
        if !fields.isEmpty { headers.append(.init("X-BugZot-Changed-Fields", fields)) }
        return MailContent(
            to: recipient.login, toName: recipient.realName, subject: subject, text: text, html: html,
            messageID: isNew ? root : "bug-\(bug.id)-\(recipient.id)-\(eventKey)@\(mailDomain)",
            inReplyTo: isNew ? nil : root, references: isNew ? [] : [root], headers: headers)
    }

    /// The link that activates a new account.
    public func activation(to login: String, name: String, token: String) -> MailContent {
        let link = "\(siteURL)/activate?token=\(token)"
        return accountMail(
            to: login, name: name, subject: "Activate your BugZot account", kind: "activation",
            lines: [
                "Someone (hopefully you) signed up for BugZot with this address.", "",
                "Follow this link within seven days to activate the account:", link, "",
                "If it was not you, ignore this message: the account stays inactive.",
            ], link: link)
    }

    /// Someone signed up with the address of an existing account: its owner is told so, with a way
    /// back in, and the sign-up page never says whether the address is taken.
    public func accountExists(to login: String, name: String, resetToken: String) -> MailContent {
        let link = "\(siteURL)/reset?token=\(resetToken)"
        return accountMail(
            to: login, name: name, subject: "You already have a BugZot account", kind: "account-exists",
            lines: [
                "Someone (hopefully you) tried to sign up for BugZot with this address, but it already has an account.", "",
                "Log in at \(siteURL)/login, or follow this link within an hour to choose a new password:", link, "",
                "If it was not you, ignore this message: nothing has changed.",
            ], link: link)
    }

    /// The link that sets a new password.
    public func passwordReset(to login: String, name: String, token: String) -> MailContent {
        let link = "\(siteURL)/reset?token=\(token)"
        return accountMail(
            to: login, name: name, subject: "Reset your BugZot password", kind: "reset",
            lines: [
                "Someone (hopefully you) asked to reset the password of this BugZot account.", "",
                "Follow this link within an hour to choose a new password:", link, "",
                "If it was not you, ignore this message: your password stays as it is.",
            ], link: link)
    }

    private func accountMail(to login: String, name: String, subject: String, kind: String, lines: [String], link: String) -> MailContent {
        let html = lines.filter { !$0.isEmpty }.map { line in
            line == link ? "<p><a href=\"\(HTML.escape(link))\">\(HTML.escape(link))</a></p>" : "<p>\(HTML.escape(line))</p>"
        }.joined(separator: "\n")
        return MailContent(
            to: login, toName: name, subject: subject, text: lines.joined(separator: "\n") + "\n", html: html,
            messageID: "\(kind)-\(UInt64.random(in: .min ... .max))@\(mailDomain)", headers: [.init("X-BugZot-Type", kind)])
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A List-Id label: letters, digits and hyphens only.
    private func listLabel(_ product: String) -> String {
        let label = String(product.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.filter(\.isASCII))
        return label.isEmpty ? "bugs" : label
    }

    private func displayName(_ user: UserSummary) -> String {
        user.realName.isEmpty ? user.login : "\(user.realName) <\(user.login)>"
    }
}

extension MailReason {
    var explanation: String {
        switch self {
        case .assignee: "You are the assignee for the bug."
        case .reporter: "You reported the bug."
        case .qaContact: "You are the QA contact for the bug."
        case .cc: "You are on the CC list for the bug."
        case .watcher: "You are watching the component for the bug."
        }
    }
}
