import Logging
import NIOCore
import NIOPosix

/// Sends mail to one SMTP server, one connection per message, with async/await on SwiftNIO.
///
/// Each `send` connects, greets with EHLO, upgrades with STARTTLS when offered (or required),
/// authenticates when the settings have credentials, sends the message and quits. Every step has
/// the settings' timeout. Failures are `SMTPError`s: retry the transient ones later.
public struct SMTPClient: Sendable {
    /// Where and how to connect.
    public let settings: SMTPSettings
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    /// A client for the server in `settings`, running its connections on `eventLoopGroup`.
    public init(
        settings: SMTPSettings, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "smtp.server"] = "\(settings.host):\(settings.port)"
        self.logger = logger
    }

    /// Delivers `message` to the server for the envelope `recipients`, with `sender` as the return
    /// path (`""` for none). Returns the server's final reply and which recipients it accepted;
    /// throws `SMTPError` if it took the message for none of them. Cancelling the task closes the
    /// connection at once and throws `CancellationError`.
    public func send(_ message: MailMessage, from sender: String, to recipients: [String]) async throws -> SMTPDelivery {
        let envelope = try Self.envelope(for: message, from: sender, to: recipients)
        let connection = try await connect()
        let session = SMTPSession(connection: connection, settings: settings)
        do {
            let delivery = try await withTaskCancellationHandler {
                try await session.deliver(envelope)
            } onCancel: {
                connection.abort()
            }
            await session.finish()
            logger.debug("delivered", metadata: ["smtp.reply": "\(delivery.reply)"])
            return delivery
        } catch {
            await session.finish()
            try Task.checkCancellation()
            // Anything not already sorted is the connection failing under us: worth a retry.
            throw error as? SMTPError ?? SMTPError.transient(code: nil, message: "\(error)")
        }
    }

    private func connect() async throws -> SMTPConnection {
        let tls = settings.security == .implicitTLS
            ? (context: try settings.makeTLSContext(), serverHostname: settings.tlsServerHostname) : nil
        do {
            return try await SMTPConnection.connect(
                host: settings.host, port: settings.port, tls: tls, on: eventLoopGroup, timeout: settings.timeout,
                logger: logger)
        } catch {
            throw SMTPError.transient(code: nil, message: "could not connect to \(settings.host):\(settings.port): \(error)")
        }
    }

    /// Checks the addresses and prepares the message bytes before any connection is made.
    private static func envelope(for message: MailMessage, from sender: String, to recipients: [String]) throws
        -> SMTPSession.Envelope
    {
        guard !recipients.isEmpty else {
            throw SMTPError.permanent(code: nil, message: "the message has no recipients")
        }
        for address in [sender] + recipients where !isValidEnvelopeAddress(address) {
            throw SMTPError.permanent(code: nil, message: "invalid envelope address \"\(address)\"")
        }
        guard recipients.allSatisfy({ !$0.isEmpty }) else {
            throw SMTPError.permanent(code: nil, message: "a recipient address is empty")
        }
        let rendered = message.rendered()
        let addressesAreASCII = ([sender] + recipients).allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }
        return SMTPSession.Envelope(
            sender: sender, recipients: recipients, dataPayload: SMTPTransparency.dataPayload(for: rendered),
            messageSize: rendered.count, needsEightBit: rendered.contains { $0 > 127 },
            needsSMTPUTF8: message.needsSMTPUTF8 || !addressesAreASCII)
    }

    /// Whether `address` can go between the angle brackets of MAIL FROM / RCPT TO without
    /// changing the command: no control characters (CR, LF) and no angle brackets.
    private static func isValidEnvelopeAddress(_ address: String) -> Bool {
        address.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value != 127 && $0 != "<" && $0 != ">" }
    }
}
