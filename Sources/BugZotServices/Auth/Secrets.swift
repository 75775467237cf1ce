import BugZotDomain
import Crypto
import Foundation

/// Random secrets (API keys, login tokens) and their stored form.
public enum Secrets {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// `length` characters from a 62-letter alphabet: 40 characters carry 238 bits.
    public static func random(length: Int = 40) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt8(alphabet.count)))] })
    }

    /// Only this digest is stored, so a copy of the database yields no usable secret.
    public static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexadecimal
    }

    /// Compares two digests without stopping at the first difference.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
