import Crypto
import Foundation
import NIOPosix

/// Blobs as files under a folder, named by SHA-256 (`ab/cd/abcd…`). Each is written to a
/// temporary file, flushed to disk, then renamed into place, so a crash never leaves half a file
/// under a real name.
public struct FileBlobStore: BlobStore {
    let root: URL

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    public func put(_ bytes: [UInt8]) async throws -> String {
        let key = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let destination = path(for: key)
        let temporaryFolder = root.appendingPathComponent("tmp", isDirectory: true)
        try await NIOThreadPool.singleton.runIfActive {
            let files = FileManager.default
            if files.fileExists(atPath: destination.path) { return }  // identical bytes are stored once
            try files.createDirectory(at: temporaryFolder, withIntermediateDirectories: true)
            try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = temporaryFolder.appendingPathComponent(UUID().uuidString)
            guard files.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            do {
                let handle = try FileHandle(forWritingTo: temporary)
                try handle.write(contentsOf: bytes)
                try handle.synchronize()
                try handle.close()
                if rename(temporary.path, destination.path) != 0 { throw CocoaError(.fileWriteUnknown) }
            } catch {
                try? files.removeItem(at: temporary)
                throw error
            }
        }
        return key
    }

    public func get(_ key: String) async throws -> [UInt8] {
        let source = path(for: key)
        return try await NIOThreadPool.singleton.runIfActive {
            guard let data = FileManager.default.contents(atPath: source.path) else { throw BlobMissing(key: key) }
            return [UInt8](data)
        }
    }

    public func remove(_ key: String) async throws {
        let target = path(for: key)
        try await NIOThreadPool.singleton.runIfActive {
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
        }
    }

    private func path(for key: String) -> URL {
        let safe = key.filter(\.isHexDigit)  // keys are hex: nothing else may reach the path
        return root.appendingPathComponent(String(safe.prefix(2)), isDirectory: true)
            .appendingPathComponent(String(safe.dropFirst(2).prefix(2)), isDirectory: true)
            .appendingPathComponent(safe)
    }
}
