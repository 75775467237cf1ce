import Foundation
import NIOCore

/// Where attachment bytes live, addressed by their SHA-256: identical bytes are stored once.
public protocol BlobStore: Sendable {
    /// Stores the bytes as they arrive, never holding more than one chunk in memory, and returns
    /// their key (lower-case hex SHA-256) and size. Past `limit` bytes it stops with
    /// `BlobTooLarge`; if the stream fails, nothing is kept.
    func put<Chunks: AsyncSequence>(streaming chunks: Chunks, limit: Int) async throws -> (key: String, size: Int)
    where Chunks.Element == ByteBuffer

    /// The size of the bytes under `key`.
    func size(of key: String) async throws -> Int

    /// Hands the bytes of `range` under `key` to `body`, one chunk at a time.
    func read(_ key: String, range: Range<Int>, _ body: (ByteBuffer) async throws -> Void) async throws

    /// Removes the bytes under `key`; callers first make sure nothing references them.
    func remove(_ key: String) async throws

    /// Removes what uploads that never finished (their process died) left behind; uploads still
    /// running are never touched, in this instance or another. Returns how many uploads' leftovers went.
    func removeAbandonedUploads() async throws -> Int
}

extension BlobStore {
    /// Stores bytes already in memory.
    public func put(_ bytes: [UInt8]) async throws -> String {
        try await put(streaming: OneChunk(buffer: ByteBuffer(bytes: bytes)), limit: .max).key
    }

    /// All the bytes under `key`.
    public func get(_ key: String) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await read(key, range: 0..<(try await size(of: key))) { chunk in bytes += chunk.readableBytesView }
        return bytes
    }
}

/// A stream of one buffer.
private struct OneChunk: AsyncSequence, Sendable {
    let buffer: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}

/// A blob that should be there is not.
public struct BlobMissing: Error, CustomStringConvertible {
    public let key: String
    public var description: String { "The stored file \(key) is missing." }
}

/// More bytes arrived than the limit allows.
public struct BlobTooLarge: Error {
    public let limit: Int
}
