import CompressNIO
import Foundation
import NIOCore

/// gzip for pages and assets, which shrink to a fraction of their size.
enum Compression {
    /// Bodies smaller than this are sent as they are: compressing them saves nothing worth the work.
    static let threshold = 1024

    static func gzip(_ buffer: ByteBuffer) throws -> ByteBuffer {
        var input = buffer
        return try input.compress(with: .gzip())
    }

    /// Whether an `Accept-Encoding` header accepts gzip.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { part in
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return fields.first == "gzip" && !fields.dropFirst().contains("q=0")
        }
    }
}
