import BugZotDomain
import Crypto
import Foundation
import NIOCore
import NIOPosix

/// Blobs as files under a folder, named by SHA-256 (`ab/cd/abcd…`). Each is written to a
/// temporary file, flushed to disk, then renamed into place, so a crash never leaves half a file
/// under a real name; file work runs on the thread pool, never on an event loop. A temporary
/// file is locked (`flock`) while its upload runs, so a crashed upload's file — unlocked, since
/// the lock died with its process — is told apart from one still being written, by any instance.
public struct FileBlobStore: BlobStore {
    let root: URL
    /// Bytes read from disk at a time when serving.
    let chunkSize = 64 * 1024

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    public func put<Chunks: AsyncSequence>(streaming chunks: Chunks, limit: Int) async throws -> (key: String, size: Int)
    where Chunks.Element == ByteBuffer {
        let temporaryFolder = root.appendingPathComponent("tmp", isDirectory: true)
        let temporary = temporaryFolder.appendingPathComponent(UUID().uuidString)
        let handle = try await pool.runIfActive {
            try FileManager.default.createDirectory(at: temporaryFolder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            let handle = try FileHandle(forWritingTo: temporary)
            flock(handle.fileDescriptor, LOCK_EX)  // held until the handle closes, or the process dies
            return handle
        }
        do {
            var hasher = SHA256()
            var size = 0
            for try await chunk in chunks {
                size += chunk.readableBytes
                guard size <= limit else { throw BlobTooLarge(limit: limit) }
                hasher.update(data: chunk.readableBytesView)
                try await pool.runIfActive { try handle.write(contentsOf: chunk.readableBytesView) }
            }
            // A stream ended by cancellation (a shutdown cutting the request off) may be short.
            try Task.checkCancellation()
            let key = hasher.finalize().hexadecimal
            let destination = path(for: key)
            try await pool.runIfActive {
                try handle.synchronize()
                let files = FileManager.default
                // Moved (or dropped) while still locked, so no cleanup takes it for abandoned.
                if files.fileExists(atPath: destination.path) {
                    try files.removeItem(at: temporary)  // identical bytes are stored once
                } else {
                    try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                    if rename(temporary.path, destination.path) != 0 { throw CocoaError(.fileWriteUnknown) }
                }
                try handle.close()
            }
            return (key, size)
        } catch {
            // Not on the thread pool, which refuses work once the upload is cancelled (cut off by a
            // shutdown): one close and one unlink.
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw StorageUnavailable(classifying: error) ?? error
        }
    }

    /// Removes the temporary files of uploads that ended without finishing (the process died):
    /// those no upload holds locked (and untouched for two seconds, as a file is locked just
    /// after it is created).
    public func removeAbandonedUploads() async throws -> Int {
        let minimumAge: TimeInterval = 2
        let temporaryFolder = root.appendingPathComponent("tmp", isDirectory: true)
        return try await pool.runIfActive {
            let files = FileManager.default
            guard let names = try? files.contentsOfDirectory(atPath: temporaryFolder.path) else { return 0 }
            var removed = 0
            for name in names {
                let file = temporaryFolder.appendingPathComponent(name)
                guard let changed = try? files.attributesOfItem(atPath: file.path)[.modificationDate] as? Date,
                    Date().timeIntervalSince(changed) >= minimumAge, let handle = FileHandle(forReadingAtPath: file.path)
                else { continue }
                defer { try? handle.close() }
                // A running upload holds its file locked; a crashed one's lock is gone.
                guard flock(handle.fileDescriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
                if (try? files.removeItem(at: file)) != nil { removed += 1 }
            }
            return removed
        }
    }

    public func size(of key: String) async throws -> Int {
        let source = path(for: key)
        return try await pool.runIfActive {
            guard let size = try? FileManager.default.attributesOfItem(atPath: source.path)[.size] as? Int else {
                throw BlobMissing(key: key)
            }
            return size
        }
    }

    public func read(_ key: String, range: Range<Int>, _ body: (ByteBuffer) async throws -> Void) async throws {
        let source = path(for: key)
        let handle = try await pool.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: source.path) else { throw BlobMissing(key: key) }
            try handle.seek(toOffset: UInt64(range.lowerBound))
            return handle
        }
        defer { try? handle.close() }
        var remaining = range.count
        while remaining > 0 {
            let wanted = min(chunkSize, remaining)
            let data = try await pool.runIfActive { try handle.read(upToCount: wanted) ?? Data() }
            guard !data.isEmpty else { throw BlobMissing(key: key) }
            remaining -= data.count
            try await body(ByteBuffer(bytes: data))
        }
    }

    public func remove(_ key: String) async throws {
        let target = path(for: key)
        try await pool.runIfActive {
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
        }
    }

    private var pool: NIOThreadPool { .singleton }

    private func path(for key: String) -> URL {
        let safe = key.filter(\.isHexDigit)  // keys are hex: nothing else may reach the path
        return root.appendingPathComponent(String(safe.prefix(2)), isDirectory: true)
            .appendingPathComponent(String(safe.dropFirst(2).prefix(2)), isDirectory: true)
            .appendingPathComponent(safe)
    }
}
