/// One mail transaction over an open connection (RFC 5321 §3): greeting, EHLO, STARTTLS, AUTH,
/// then MAIL, RCPT, DATA. Every unwelcome reply becomes an `SMTPError`.
struct SMTPSession {
    /// What is being sent, prepared before connecting.
    struct Envelope {
        /// The return path for MAIL FROM; empty for none.
        let sender: String
        /// The addresses for RCPT TO.
        let recipients: [String]
        /// The message with dot-stuffing and the final "." line, ready for DATA.
        let dataPayload: [UInt8]
        /// The size of the rendered message, for SIZE.
        let messageSize: Int
        /// Whether the message has bytes above 127 and so needs BODY=8BITMIME.
        let needsEightBit: Bool
        /// Whether an address is non-ASCII and so needs SMTPUTF8.
        let needsSMTPUTF8: Bool
    }

    /// The open connection, greeting not yet read.
    let connection: SMTPConnection
    /// The security, credentials and EHLO name to use.
    let settings: SMTPSettings

    /// Runs the whole transaction and returns the server's answer to the message.
    func deliver(_ envelope: Envelope) async throws -> SMTPDelivery {
        let greeting = try await connection.reply(to: "the greeting")
        guard greeting.code == 220 else { throw SMTPError.unexpected(greeting, to: "the greeting") }
        var capabilities = try await hello()
        let isEncrypted: Bool
        if settings.security == .implicitTLS {
            isEncrypted = true
        } else if settings.security != .plaintext && capabilities.startTLS {
            try await startTLS()
            // RFC 3207 §4.2: forget what the server said before TLS and ask again.
            capabilities = try await hello()
            isEncrypted = true
        } else if settings.security == .startTLSRequired {
            throw SMTPError.permanent(code: nil, message: "the settings require STARTTLS but the server does not offer it")
        } else {
            isEncrypted = false
        }
        if let username = settings.username {
            guard isEncrypted || settings.security == .plaintext else {
                throw SMTPError.permanent(
                    code: nil, message: "the server does not offer STARTTLS, so the password would go unencrypted "
                        + "(add ?starttls=never to the URL to allow that)")
            }
            try await SMTPAuthentication.authenticate(
                username: username, password: settings.password ?? "", offered: capabilities.authMechanisms, over: connection)
        }
        try checkServerAccepts(envelope, capabilities: capabilities)
        try await mailFrom(envelope, capabilities: capabilities)
        let (accepted, rejected) = try await recipients(envelope.recipients)
        let dataReply = try await connection.send("DATA")
        guard dataReply.code == 354 else { throw SMTPError.unexpected(dataReply, to: "DATA") }
        let finalReply = try await connection.sendData(envelope.dataPayload)
        guard finalReply.code == 250 else { throw SMTPError.unexpected(finalReply, to: "the message data") }
        return SMTPDelivery(reply: finalReply, acceptedRecipients: accepted, rejectedRecipients: rejected)
    }

    /// Ends the session: QUIT if the connection still works (a failure here changes nothing, so it
    /// is ignored), then closes the connection.
    func finish() async {
        _ = try? await connection.send("QUIT")
        await connection.close()
    }

    /// EHLO, or HELO for an old server that rejects EHLO; returns the extensions offered.
    private func hello() async throws -> SMTPCapabilities {
        let ehloReply = try await connection.send("EHLO \(settings.heloName)")
        if ehloReply.code == 250 {
            return SMTPCapabilities(ehloReply: ehloReply)
        }
        guard ehloReply.code >= 500 else { throw SMTPError.unexpected(ehloReply, to: "EHLO") }
        let heloReply = try await connection.send("HELO \(settings.heloName)")
        guard heloReply.code == 250 else { throw SMTPError.unexpected(heloReply, to: "HELO") }
        return SMTPCapabilities()
    }

    private func startTLS() async throws {
        let reply = try await connection.send("STARTTLS")
        guard reply.code == 220 else { throw SMTPError.unexpected(reply, to: "STARTTLS") }
        try await connection.startTLS(context: try settings.makeTLSContext(), serverHostname: settings.tlsServerHostname)
    }

    /// Refuses early what the server announced it would refuse after the whole upload.
    private func checkServerAccepts(_ envelope: Envelope, capabilities: SMTPCapabilities) throws {
        if let limit = capabilities.maximumMessageSize, envelope.messageSize > limit {
            throw SMTPError.permanent(
                code: nil, message: "the message has \(envelope.messageSize) bytes but the server accepts at most \(limit)")
        }
        if envelope.needsSMTPUTF8 && !capabilities.smtpUTF8 {
            throw SMTPError.permanent(
                code: nil, message: "an address has non-ASCII characters but the server does not offer SMTPUTF8")
        }
    }

    private func mailFrom(_ envelope: Envelope, capabilities: SMTPCapabilities) async throws {
        var command = "MAIL FROM:<\(envelope.sender)>"
        if capabilities.size {
            command += " SIZE=\(envelope.messageSize)"
        }
        if envelope.needsEightBit && capabilities.eightBitMIME {
            command += " BODY=8BITMIME"
        }
        if envelope.needsSMTPUTF8 {
            command += " SMTPUTF8"
        }
        let reply = try await connection.send(command)
        guard reply.code == 250 else { throw SMTPError.unexpected(reply, to: "MAIL FROM") }
    }

    /// RCPT TO for each recipient. Throws only if none is accepted, with the most severe reply.
    private func recipients(_ recipients: [String]) async throws -> ([String], [SMTPDelivery.RejectedRecipient]) {
        var accepted: [String] = []
        var rejected: [SMTPDelivery.RejectedRecipient] = []
        for recipient in recipients {
            let reply = try await connection.send("RCPT TO:<\(recipient)>")
            // 251: "user not local; will forward" is an acceptance too.
            if reply.code == 250 || reply.code == 251 {
                accepted.append(recipient)
            } else {
                rejected.append(.init(address: recipient, reply: reply))
            }
        }
        guard !accepted.isEmpty else {
            let worst = rejected.max { $0.reply.code < $1.reply.code }!
            let details = rejected.map { "<\($0.address)>: \($0.reply)" }.joined(separator: "; ")
            let message = "the server accepted none of the recipients: \(details)"
            throw worst.reply.code >= 500
                ? SMTPError.permanent(code: worst.reply.code, message: message)
                : SMTPError.transient(code: worst.reply.code, message: message)
        }
        return (accepted, rejected)
    }
}
