/// Where attachment bytes live, addressed by their SHA-256: identical bytes are stored once.
public protocol BlobStore: Sendable {
    /// Stores `bytes` and returns their key (lower-case hex SHA-256).
    func put(_ bytes: [UInt8]) async throws -> String

    /// The bytes under `key`.
    func get(_ key: String) async throws -> [UInt8]

    /// Removes the bytes under `key`; callers first make sure nothing references them.
    func remove(_ key: String) async throws
}

/// A blob that should be there is not.
public struct BlobMissing: Error, CustomStringConvertible {
    public let key: String
    public var description: String { "The stored file \(key) is missing." }
}
