import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// BugZot's own attachment endpoints, for files of any size: uploads stream to the blob store,
/// downloads stream from it with Range support, and what is served can never run script on
/// BugZot's origin.
public struct AttachmentTransfer: Sendable {
    let services: AppServices

    public init(services: AppServices) {
        self.services = services
    }

    /// A served file runs no script and is shown in no other site's frame (`SecurityHeaders`
    /// adds `nosniff` and `X-Frame-Options: DENY` to every response here).
    static let contentSecurityPolicy = "sandbox; frame-ancestors 'none'"

    /// Content types shown in the browser; everything else downloads.
    static let inlineTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"]

    public func register(on router: Router<AppRequestContext>) {
        router.post("/api/bugs/{id}/attachments") { request, context in try await upload(request, context: context) }
        router.get("/attachments/{attachment_id}/{file_name}") { request, context in try await download(request, context: context) }
        router.get("/attachments/{attachment_id}") { request, context in try await download(request, context: context) }
    }

    /// `POST /api/bugs/{id}/attachments` → 201 `{"id": N}`, with either
    /// - the file as the raw body and `file_name`, `summary`, `content_type` (else the request's
    ///   Content-Type), `comment`, `is_patch`, `is_private` in the query, or
    /// - a `multipart/form-data` form: one file part (its file name and type) and those fields.
    func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let call = try await RESTCall(
            request, context: context, bodyLimit: 0, auth: services.auth, loginExempt: false, readsBody: false)
        let principal = try call.user()
        let query = call.parameters
        let bugID = try context.parameters.require("id")
        let contentType = request.headers[.contentType] ?? ""
        let id: Int
        if let boundary = MultipartFileStream.boundary(in: contentType) {
            let stream = MultipartFileStream(body: request.body, boundary: boundary)
            let form = stream.form
            id = try await services.attachments.create(on: bugID, streaming: stream, by: principal) {
                let fields = WireParameters(query: form.fields.map { ($0.key, $0.value) })
                let fileName = try fields.string("file_name") ?? form.fileName ?? ""
                return (
                    AttachmentRules.Details(
                        fileName: fileName, summary: try fields.string("summary").flatMap { $0.isEmpty ? nil : $0 } ?? fileName,
                        contentType: try fields.string("content_type").flatMap { $0.isEmpty ? nil : $0 } ?? form.fileContentType,
                        isPatch: try fields.bool("is_patch") ?? false, isPrivate: try fields.bool("is_private") ?? false),
                    try fields.string("comment")
                )
            }
        } else {
            let details = AttachmentRules.Details(
                fileName: try query.required("file_name", function: "attachments"),
                summary: try query.string("summary") ?? query.string("file_name") ?? "",
                contentType: try query.string("content_type") ?? (contentType.isEmpty ? nil : contentType),
                isPatch: try query.bool("is_patch") ?? false, isPrivate: try query.bool("is_private") ?? false)
            // Refuse bad details before reading a large body.
            _ = try AttachmentRules.validated(details, by: principal, policy: services.policy)
            id = try await services.attachments.create(on: bugID, streaming: request.body, by: principal) {
                (details, try query.string("comment"))
            }
        }
        return jsonResponse(["id": .int(id)], status: .created)
    }

    /// `GET /attachments/{id}[/{file_name}]`, streamed, with a single `Range` honoured.
    func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let call = try await RESTCall(request, context: context, bodyLimit: 0, auth: services.auth, loginExempt: false)
        var principal = call.principal
        // Links on the web UI's pages carry no API key: a browser session counts too.
        if principal.isAnonymous, let token = request.cookies[SessionService.cookieName]?.value, !token.isEmpty {
            principal = try await services.sessions.principal(forToken: token) ?? .anonymous
        }
        guard let id = context.parameters.get("attachment_id", as: Int.self) else {
            throw DomainError.attachmentNotFound(context.parameters.get("attachment_id") ?? "")
        }
        let attachment = try await services.attachments.attachments(ids: [id], by: principal)[0]
        var headers: HTTPFields = [
            .contentType: Self.servedType(attachment.contentType),
            .contentDisposition: Self.disposition(for: attachment),
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .acceptRanges: "bytes",
        ]
        let size = attachment.size
        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range] {
            guard let requested = Self.byteRange(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        }
        let attachments = services.attachments
        let served = range
        let body = ResponseBody(contentLength: served.count) { writer in
            try await attachments.read(attachment, range: served) { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Safe types keep theirs (text as UTF-8); anything else is served as opaque bytes.
    static func servedType(_ type: String) -> String {
        let essence = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard inlineTypes.contains(essence) else { return "application/octet-stream" }
        return essence == "text/plain" ? "text/plain; charset=utf-8" : essence
    }

    /// `inline` for the safe types, `attachment` otherwise, with the name in RFC 6266 form.
    static func disposition(for attachment: Attachment) -> String {
        let essence = attachment.contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let kind = inlineTypes.contains(essence) ? "inline" : "attachment"
        let ascii = String(attachment.fileName.unicodeScalars.map { scalar in
            scalar.isASCII && scalar != "\"" && scalar != "\\" && scalar.value >= 0x20 ? Character(scalar) : "_"
        })
        let encoded = attachment.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: ".-_"))) ?? ascii
        return "\(kind); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within `size`, or nil.
    static func byteRange(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(","), size > 0 else { return nil }
        let spec = header.dropFirst("bytes=".count).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let (first, last) = (spec[0].trimmingCharacters(in: .whitespaces), spec[1].trimmingCharacters(in: .whitespaces))
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(first), start >= 0, start < size else { return nil }
        guard !last.isEmpty else { return start..<size }
        guard let end = Int(last), end >= start else { return nil }
        return start..<(min(end, size - 1) + 1)
    }
}
