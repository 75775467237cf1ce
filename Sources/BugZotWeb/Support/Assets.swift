import BugZotDomain
import Crypto
import Foundation
import NIOCore

/// The stylesheet and script, named by a hash of their content so that browsers may keep them
/// forever: a changed file gets a new name.
struct Assets: Sendable {
    struct File: Sendable {
        let contentType: String
        let bytes: ByteBuffer
        /// The same bytes gzip-compressed, made once at start.
        let gzipped: ByteBuffer
    }

    /// Fingerprinted name → file.
    let files: [String: File]
    /// Plain name (`bugzot.css`) → the path pages link to (`/static/bugzot.1a2b3c4d5e.css`).
    let paths: [String: String]

    /// Loads every file in `directory`.
    init(directory: String) throws {
        var files: [String: File] = [:]
        var paths: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            let hash = SHA256.hash(data: data).prefix(6).hexadecimal
            let ext = (name as NSString).pathExtension
            let fingerprinted = (name as NSString).deletingPathExtension + "." + hash + "." + ext
            let bytes = ByteBuffer(bytes: data)
            files[fingerprinted] = File(contentType: Self.contentType(ext), bytes: bytes, gzipped: try Compression.gzip(bytes))
            paths[name] = "/static/" + fingerprinted
        }
        self.files = files
        self.paths = paths
    }

    private static func contentType(_ ext: String) -> String {
        switch ext {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }
}
