import BugZotStorage
import Crypto
import Foundation
import _CryptoExtras

/// The salted WAMP-CRA keys of API keys: `base64(PBKDF2-HMAC-SHA256(key, salt, iterations, 32))`,
/// as WAMP clients derive them from the secret (autobahn's `derive_key`), so a client that holds
/// the API key signs challenges the router checks without the key itself being kept.
public enum CRAKeys {
    /// PBKDF2 rounds for new keys.
    public static let iterations = 100_000
    /// Bytes of the derived key.
    public static let keyLength = 32

    /// A new salt and the key derived from `secret` with it.
    static func make(for secret: String, iterations: Int = iterations) throws -> CRAKey {
        let salt = Secrets.random(length: 16)
        return CRAKey(salt: salt, iterations: iterations, key: try derive(secret: secret, salt: salt, iterations: iterations))
    }

    /// The derived key, base64.
    public static func derive(secret: String, salt: String, iterations: Int) throws -> String {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(secret.utf8), salt: Array(salt.utf8), using: .sha256, outputByteCount: keyLength, unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The signature of `challenge` under a derived key: `base64(HMAC-SHA256(key text, challenge))`.
    public static func signature(of challenge: String, key: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(challenge.utf8), using: SymmetricKey(data: Array(key.utf8)))
        return Data(mac).base64EncodedString()
    }
}
