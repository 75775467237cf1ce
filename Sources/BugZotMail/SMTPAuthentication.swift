import Foundation

/// SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) or, failing that, the LOGIN mechanism.
enum SMTPAuthentication {
    /// Logs in with `username` and `password` using the best mechanism the server offers.
    /// Throws a permanent error if it offers neither PLAIN nor LOGIN or rejects the credentials
    /// with 5xx. The secrets never reach the log.
    static func authenticate(
        username: String, password: String, offered mechanisms: Set<String>, over connection: SMTPConnection
    ) async throws {
        if mechanisms.contains("PLAIN") {
            let credentials = base64("\0\(username)\0\(password)")
            let reply = try await connection.send("AUTH PLAIN \(credentials)", loggedAs: "AUTH PLAIN <credentials>")
            try expectSuccess(reply, to: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try expectChallenge(try await connection.send("AUTH LOGIN"), to: "AUTH LOGIN")
            try expectChallenge(try await connection.send(base64(username), loggedAs: "<user name>"), to: "AUTH LOGIN (user name)")
            try expectSuccess(try await connection.send(base64(password), loggedAs: "<password>"), to: "AUTH LOGIN (password)")
        } else {
            let offered = mechanisms.isEmpty ? "none" : mechanisms.sorted().joined(separator: " ")
            throw SMTPError.permanent(
                code: nil, message: "credentials are configured but the server offers no AUTH mechanism this client supports "
                    + "(PLAIN, LOGIN); offered: \(offered)")
        }
    }

    private static func expectChallenge(_ reply: SMTPReply, to step: String) throws {
        guard reply.code == 334 else { throw SMTPError.unexpected(reply, to: step) }
    }

    private static func expectSuccess(_ reply: SMTPReply, to step: String) throws {
        guard reply.code == 235 else { throw SMTPError.unexpected(reply, to: step) }
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
