import BugZotDomain
import BugZotMail
import BugZotServices
import Foundation
import Logging

extension MailMessage {
    /// The message for a queued `MailContent`, sent from `from`.
    init(_ content: MailContent, from: MailAddress) {
        self.init(
            from: from, to: [MailAddress(address: content.to, name: content.toName.isEmpty ? nil : content.toName)],
            subject: content.subject, text: content.text, html: content.html, messageID: content.messageID,
            inReplyTo: content.inReplyTo, references: content.references, extraHeaders: content.headers.map { ($0.name, $0.value) })
    }
}

/// Mail through an SMTP server: a 4xx reply or a network failure is retried later, a 5xx reply is
/// recorded and not retried.
struct SMTPMailTransport: MailTransport {
    let client: SMTPClient
    let from: MailAddress

    func send(_ mail: MailContent) async throws {
        do {
            _ = try await client.send(MailMessage(mail, from: from), from: from.address, to: [mail.to])
        } catch let error as SMTPError {
            throw error.isTransient ? JobFailure.retryLater(error.description) : JobFailure.permanent(error.description)
        }
    }
}

/// Mail as `.eml` files in a folder, for installations with no SMTP server configured (and for
/// looking at what would be sent).
struct FileMailTransport: MailTransport {
    let directory: URL
    let from: MailAddress
    let logger: Logger

    func send(_ mail: MailContent) async throws {
        let bytes = MailMessage(mail, from: from).rendered()
        let safeID = String(mail.messageID.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
        let name = "\(Int(Date().timeIntervalSince1970 * 1000))-\(safeID).eml"
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Written whole under a temporary name, then renamed: a reader never sees half a message.
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        try Data(bytes).write(to: temporary)
        try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(name))
        logger.info("mail written to a file (no SMTP server configured)", metadata: ["to": "\(mail.to)", "file": "\(name)"])
    }

    /// Removes half-written messages left by a crash: temporary files a minute old (a message is
    /// written in milliseconds, so none of them is still being written, by any worker).
    func removeAbandonedFiles() {
        let files = FileManager.default
        guard let names = try? files.contentsOfDirectory(atPath: directory.path) else { return }
        var removed = 0
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let file = directory.appendingPathComponent(name)
            guard let changed = try? files.attributesOfItem(atPath: file.path)[.modificationDate] as? Date,
                Date().timeIntervalSince(changed) >= 60, (try? files.removeItem(at: file)) != nil
            else { continue }
            removed += 1
        }
        if removed > 0 { logger.notice("removed half-written mail files left by a crash", metadata: ["files": "\(removed)"]) }
    }
}
