import Foundation

/// Where and how to deliver mail, parsed from a URL:
///
/// - `smtp://[user[:password]@]host[:port]` – port 25 by default; STARTTLS when the server offers it.
/// - `smtps://[user[:password]@]host[:port]` – TLS from the first byte (RFC 8314), port 465 by default.
///
/// Query parameters: `starttls=required|never|auto` (smtp only), `tls_verify=none|full`,
/// `tls_ca=/path/ca.pem` (an extra trusted CA), `helo=name` (the EHLO name, default `localhost`),
/// `timeout=seconds` (for every step; default 30). User and password are percent-decoded.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// TLS from the start (`smtps://`).
        case implicitTLS
        /// STARTTLS, failing if the server does not offer it (`?starttls=required`).
        case startTLSRequired
        /// STARTTLS when the server offers it (the default for `smtp://`). Credentials are still
        /// never sent over a connection that stayed unencrypted.
        case startTLSWhenOffered
        /// No TLS at all (`?starttls=never`), for local relays and tests; credentials are sent in
        /// the clear if given.
        case plaintext
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// How the connection is protected.
    public var security: Security
    /// The user for SMTP AUTH, or `nil` to send without authenticating.
    public var username: String?
    /// The password for SMTP AUTH.
    public var password: String?
    /// Whether the server's certificate and host name are checked (`tls_verify=none` turns this off).
    public var verifiesCertificate: Bool
    /// A PEM file with extra CA certificates to trust besides the system's (`tls_ca=`).
    public var trustedCAFile: String?
    /// The name the client gives in EHLO/HELO.
    public var heloName: String
    /// The longest the client waits for connecting and for each reply.
    public var timeout: Duration

    /// Settings parsed from an `smtp://` or `smtps://` URL; throws `SMTPSettingsError` saying what
    /// is wrong with it. The error never repeats the password.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw SMTPSettingsError("not a URL (expected smtp://host or smtps://host)")
        }
        guard scheme == "smtp" || scheme == "smtps" else {
            throw SMTPSettingsError("unsupported scheme \"\(scheme)\" (expected smtp or smtps)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw SMTPSettingsError("the URL has no host")
        }
        guard components.path.isEmpty || components.path == "/" else {
            throw SMTPSettingsError("unexpected path \"\(components.path)\"")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw SMTPSettingsError("port \(port) is out of range")
        }
        // IPv6 literals come in brackets, which are URL syntax rather than part of the address.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (scheme == "smtps" ? 465 : 25)
        security = scheme == "smtps" ? .implicitTLS : .startTLSWhenOffered
        let user = try components.percentEncodedUser.map { try Self.percentDecoded($0, what: "user name") }
        username = user?.isEmpty == true ? nil : user
        password = try components.percentEncodedPassword.map { try Self.percentDecoded($0, what: "password") }
        if username == nil, password != nil {
            throw SMTPSettingsError("a password is given without a user name")
        }
        verifiesCertificate = true
        trustedCAFile = nil
        heloName = "localhost"
        timeout = .seconds(30)
        try applyQuery(components.queryItems ?? [], scheme: scheme)
    }

    /// The settings as a URL with the password replaced by `***`, safe for logs.
    public var redactedDescription: String {
        var description = security == .implicitTLS ? "smtps://" : "smtp://"
        if let username {
            description += username + (password == nil ? "" : ":***") + "@"
        }
        description += host.contains(":") ? "[\(host)]" : host
        description += ":\(port)"
        var options: [String] = []
        switch security {
        case .startTLSRequired: options.append("starttls=required")
        case .plaintext: options.append("starttls=never")
        case .implicitTLS, .startTLSWhenOffered: break
        }
        if !verifiesCertificate { options.append("tls_verify=none") }
        if let trustedCAFile { options.append("tls_ca=\(trustedCAFile)") }
        if heloName != "localhost" { options.append("helo=\(heloName)") }
        if timeout != .seconds(30) { options.append("timeout=\(timeout.seconds)") }
        return options.isEmpty ? description : description + "?" + options.joined(separator: "&")
    }

    private mutating func applyQuery(_ items: [URLQueryItem], scheme: String) throws {
        var seen: Set<String> = []
        for item in items {
            guard seen.insert(item.name).inserted else {
                throw SMTPSettingsError("parameter \"\(item.name)\" is given twice")
            }
            let value = item.value ?? ""
            switch item.name {
            case "starttls":
                guard scheme == "smtp" else {
                    throw SMTPSettingsError("starttls does not apply to smtps, which uses TLS from the start")
                }
                switch value {
                case "required": security = .startTLSRequired
                case "never": security = .plaintext
                case "auto": security = .startTLSWhenOffered
                default: throw SMTPSettingsError("starttls must be required, never or auto, not \"\(value)\"")
                }
            case "tls_verify":
                switch value {
                case "none": verifiesCertificate = false
                case "full": verifiesCertificate = true
                default: throw SMTPSettingsError("tls_verify must be none or full, not \"\(value)\"")
                }
            case "tls_ca":
                guard !value.isEmpty else { throw SMTPSettingsError("tls_ca needs a file path") }
                trustedCAFile = value
            case "helo":
                // The name goes into the EHLO command line, so nothing that could end or extend it.
                guard !value.isEmpty, value.unicodeScalars.allSatisfy({ (33...126).contains($0.value) }) else {
                    throw SMTPSettingsError("helo must be a host name or address literal, not \"\(value)\"")
                }
                heloName = value
            case "timeout":
                guard let seconds = Double(value), seconds.isFinite, seconds > 0 else {
                    throw SMTPSettingsError("timeout must be a positive number of seconds, not \"\(value)\"")
                }
                timeout = .milliseconds(Int64((seconds * 1000).rounded()))
            default:
                throw SMTPSettingsError("unknown parameter \"\(item.name)\"")
            }
        }
    }

    private static func percentDecoded(_ text: String, what: String) throws -> String {
        guard let decoded = text.removingPercentEncoding else {
            throw SMTPSettingsError("the \(what) has invalid percent-encoding")
        }
        return decoded
    }
}

/// Why an SMTP URL could not be parsed.
public struct SMTPSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the URL; it never contains the password.
    public let reason: String

    /// An error saying `reason`.
    init(_ reason: String) {
        self.reason = reason
    }

    /// `invalid SMTP URL: ` and the reason.
    public var description: String {
        "invalid SMTP URL: \(reason)"
    }
}

extension Duration {
    /// The duration in seconds, to the millisecond, for messages and URLs ("2", "0.25").
    var seconds: String {
        let (seconds, attoseconds) = components
        var fraction = String(1000 + attoseconds / 1_000_000_000_000_000).dropFirst()
        while fraction.last == "0" {
            fraction.removeLast()
        }
        return fraction.isEmpty ? "\(seconds)" : "\(seconds).\(fraction)"
    }
}
