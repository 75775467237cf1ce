import NIOCore
import NIOSSL

extension SMTPSettings {
    /// The TLS client context these settings ask for: TLS 1.2 or later, certificate and host
    /// name verification unless turned off, and the extra CA file if one is given. A context that
    /// can't be made (an unreadable CA file) is a permanent error: retrying won't fix the settings.
    func makeTLSContext() throws(SMTPError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if !verifiesCertificate {
            configuration.certificateVerification = .none
        }
        if let trustedCAFile {
            configuration.additionalTrustRoots = [.file(trustedCAFile)]
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .permanent(code: nil, message: "could not set up TLS: \(error)")
        }
    }

    /// The name to send in SNI and to check the certificate against: the host, unless it is an IP
    /// address, which SNI can't carry (the certificate is then checked against the address).
    var tlsServerHostname: String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
