import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// The file of a `multipart/form-data` body as a stream of its bytes, read from the request only
/// as fast as they are consumed; the form's other fields are collected on the way.
///
/// A form can be checked before any of its file is handed on (a web form's CSRF token, which
/// must come before the file): `check` sees the fields read so far when the first file part
/// begins, or when the body ends without one; if it throws, the stream ends with its error
/// and not one byte of the file is passed on.
public struct MultipartFileStream: AsyncSequence {
    public typealias Element = ByteBuffer

    /// What the form said besides the file; complete once the stream has ended.
    public final class Form {
        /// Each field's last value.
        public internal(set) var fields: [String: String] = [:]
        /// Every field in order, repeated names (checkboxes) included.
        public internal(set) var pairs: [(String, String)] = []
        public internal(set) var fileName: String?
        public internal(set) var fileContentType: String?
    }

    /// The longest text field read, in bytes (a comment's 65,535 characters fit).
    public static let fieldLimit = 256 * 1024

    /// A text field over `fieldLimit`.
    public struct FieldTooLarge: Error {}

    let body: RequestBody
    let boundary: String
    let check: ((Form) throws -> Void)?
    /// Filled in as the body is read.
    public let form = Form()

    public init(body: RequestBody, boundary: String, check: ((Form) throws -> Void)? = nil) {
        self.body = body
        self.boundary = boundary
        self.check = check
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    public static func boundary(in contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        return parts.dropFirst().first { $0.lowercased().hasPrefix("boundary=") }
            .map { String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: body.makeAsyncIterator(), boundary: boundary, form: form, check: check)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var source: RequestBody.AsyncIterator
        let parser: MultipartParser
        let state: PartState
        let form: Form
        let check: ((Form) throws -> Void)?

        /// The part being read and the file bytes not yet handed on.
        final class PartState {
            var headers: [String: String] = [:]
            var text = ""
            var isFile = false
            var filesSeen = 0
            var pending = ByteBuffer()
            var fieldTooLarge = false
            /// Whether the form's check has run, and its error.
            var checked = false
            var refusal: (any Error)?
        }

        init(source: RequestBody.AsyncIterator, boundary: String, form: Form, check: ((Form) throws -> Void)?) {
            self.source = source
            self.parser = MultipartParser(boundary: boundary)
            self.form = form
            self.check = check
            let state = PartState()
            self.state = state
            parser.onHeader = { name, value in
                state.headers[name.lowercased()] = value
                if name.lowercased() == "content-disposition", let fileName = Self.parameter("filename", in: value) {
                    state.isFile = true
                    state.filesSeen += 1
                    if state.filesSeen == 1 {
                        form.fileName = fileName
                        Self.run(check, on: form, state: state)
                    }
                }
            }
            parser.onBody = { buffer in
                if state.isFile {
                    // Only the first file counts, and only once the form has passed its check.
                    if state.filesSeen == 1, state.refusal == nil { state.pending.writeBuffer(&buffer) }
                } else {
                    // A field longer than any BugZot accepts is refused, never cut short.
                    guard state.text.utf8.count + buffer.readableBytes <= MultipartFileStream.fieldLimit else {
                        state.fieldTooLarge = true
                        return
                    }
                    state.text += buffer.readString(length: buffer.readableBytes) ?? ""
                }
            }
            parser.onPartComplete = {
                if state.isFile {
                    if state.filesSeen == 1 { form.fileContentType = state.headers["content-type"] }
                } else if let disposition = state.headers["content-disposition"], let name = Self.parameter("name", in: disposition) {
                    form.fields[name] = state.text
                    form.pairs.append((name, state.text))
                }
                state.headers = [:]
                state.text = ""
                state.isFile = false
            }
        }

        public mutating func next() async throws -> ByteBuffer? {
            while true {
                if let refusal = state.refusal { throw refusal }
                if state.pending.readableBytes > 0 {
                    defer { state.pending.clear() }
                    return state.pending
                }
                guard let chunk = try await source.next() else {
                    Self.run(check, on: form, state: state)  // a form without a file is checked at its end
                    if let refusal = state.refusal { throw refusal }
                    return nil
                }
                try parser.execute(chunk)
                if state.fieldTooLarge { throw FieldTooLarge() }
            }
        }

        /// Runs the form's check once, keeping its error.
        private static func run(_ check: ((Form) throws -> Void)?, on form: Form, state: PartState) {
            guard !state.checked else { return }
            state.checked = true
            do { try check?(form) } catch { state.refusal = error }
        }

        /// `name="value"` from a Content-Disposition header.
        static func parameter(_ name: String, in header: String) -> String? {
            for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].lowercased() == name {
                    return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
            }
            return nil
        }
    }
}
