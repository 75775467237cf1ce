import BugZotDomain
import Crypto
import Foundation
import NIOCore
import SQLKit

/// Blobs as chunks in the database, for deployments whose instances share no disk. An upload
/// writes its chunks under a temporary key, each chunk in its own short transaction (so SQLite's
/// single writer is never held for a whole upload), then renames them to their SHA-256 at once.
/// The temporary key holds the upload's start time, so that the chunks of an upload whose process
/// died can be found and removed later.
public struct DatabaseBlobStore: BlobStore {
    let database: any Database
    /// Bytes per stored chunk.
    let chunkSize = 256 * 1024

    public init(database: any Database) {
        self.database = database
    }

    public func put<Chunks: AsyncSequence>(streaming chunks: Chunks, limit: Int) async throws -> (key: String, size: Int)
    where Chunks.Element == ByteBuffer {
        let upload = "\(Self.uploadPrefix)\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString)"
        var hasher = SHA256()
        var size = 0
        var sequence = 0
        var pending = ByteBuffer()
        /// Stores one chunk of at most `chunkSize` bytes; reads rely on every chunk but the last being full.
        func flush(_ buffer: inout ByteBuffer) async throws {
            guard buffer.readableBytes > 0, let slice = buffer.readSlice(length: min(chunkSize, buffer.readableBytes)) else { return }
            let bytes = Data(slice.readableBytesView)
            let number = sequence
            buffer.discardReadBytes()
            sequence += 1
            try await database.transaction { sql in
                try await sql.raw(
                    "INSERT INTO blob_chunks (blob_key, seq, data) VALUES (\(bind: upload), \(bind: number), \(bind: bytes))"
                ).run()
            }
        }
        do {
            for try await var chunk in chunks {
                size += chunk.readableBytes
                guard size <= limit else { throw BlobTooLarge(limit: limit) }
                hasher.update(data: chunk.readableBytesView)
                pending.writeBuffer(&chunk)
                while pending.readableBytes >= chunkSize { try await flush(&pending) }
            }
            // A stream ended by cancellation (a shutdown cutting the request off) may be short.
            try Task.checkCancellation()
            try await flush(&pending)
            let key = hasher.finalize().hexadecimal
            let total = size
            let stored = sequence
            try await database.transaction { sql in
                if try await sql.raw("SELECT blob_key FROM blobs WHERE blob_key = \(bind: key)").first() != nil {
                    try await sql.raw("DELETE FROM blob_chunks WHERE blob_key = \(bind: upload)").run()  // stored once
                } else {
                    let renamed = try await sql.raw(
                        "UPDATE blob_chunks SET blob_key = \(bind: key) WHERE blob_key = \(bind: upload) RETURNING seq"
                    ).all()
                    // Chunks gone meanwhile (taken for abandoned): fail rather than keep a blob with holes.
                    guard renamed.count == stored else { throw BlobMissing(key: upload) }
                    try await sql.raw("INSERT INTO blobs (blob_key, size) VALUES (\(bind: key), \(bind: total))").run()
                }
            }
            return (key, size)
        } catch {
            // In a task of its own, so that it runs even when the upload was cut off by cancellation;
            // the database lets it finish before it closes (`CallDrain`). Removing the chunks here
            // rather than leaving them to a later sweep: instances share the database, so a sweep
            // cannot tell an upload cut off from one still under way elsewhere, except by its age.
            try? await Task { [database] in
                try await database.transaction { sql in
                    try await sql.raw("DELETE FROM blob_chunks WHERE blob_key = \(bind: upload)").run()
                }
            }.value
            throw error
        }
    }

    private static let uploadPrefix = "upload-"

    /// Removes the chunks of uploads started more than six hours ago and never finished: no live
    /// upload takes that long (one that did would fail cleanly at its end, never keep holes).
    public func removeAbandonedUploads() async throws -> Int {
        let minimumAge: TimeInterval = 6 * 3600
        let pattern = Self.uploadPrefix + "%"
        let keys = try await database.read { sql in
            try await sql.raw("SELECT DISTINCT blob_key FROM blob_chunks WHERE blob_key LIKE \(bind: pattern)").all()
                .map { try $0.decode(column: "blob_key", as: String.self) }
        }
        let cutoff = Date().timeIntervalSince1970 - minimumAge
        let abandoned = keys.filter { key in
            let started = key.dropFirst(Self.uploadPrefix.count).prefix { $0.isNumber }
            return TimeInterval(started).map { $0 <= cutoff } ?? true  // an older store's keys had no time
        }
        for key in abandoned {
            try await database.transaction { sql in try await sql.raw("DELETE FROM blob_chunks WHERE blob_key = \(bind: key)").run() }
        }
        return abandoned.count
    }

    public func size(of key: String) async throws -> Int {
        guard let row = try await database.read({ sql in try await sql.raw("SELECT size FROM blobs WHERE blob_key = \(bind: key)").first() })
        else { throw BlobMissing(key: key) }
        return try row.decode(column: "size", as: Int.self)
    }

    public func read(_ key: String, range: Range<Int>, _ body: (ByteBuffer) async throws -> Void) async throws {
        guard !range.isEmpty else { return }
        let first = range.lowerBound / chunkSize
        let last = (range.upperBound - 1) / chunkSize
        for number in first...last {
            let row = try await database.read { sql in
                try await sql.raw("SELECT data FROM blob_chunks WHERE blob_key = \(bind: key) AND seq = \(bind: number)").first()
            }
            guard let row else { throw BlobMissing(key: key) }
            let data = try row.decode(column: "data", as: Data.self)
            let chunkStart = number * chunkSize
            let lower = max(range.lowerBound - chunkStart, 0)
            let upper = min(range.upperBound - chunkStart, data.count)
            try await body(ByteBuffer(bytes: data[data.startIndex + lower..<data.startIndex + upper]))
        }
    }

    public func remove(_ key: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM blob_chunks WHERE blob_key = \(bind: key)").run()
            try await sql.raw("DELETE FROM blobs WHERE blob_key = \(bind: key)").run()
        }
    }
}
