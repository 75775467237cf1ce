import BugZotHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A browser on the test site's web UI: keeps its cookies and posts forms with the CSRF token of
/// the last page it saw.
struct Browser {
    let site: TestSite
    private(set) var cookies: [String: String] = [:]
    /// The CSRF token of the last page that had a form.
    private(set) var csrfToken = ""

    init(_ site: TestSite) {
        self.site = site
    }

    /// A browser signed in as one of the site's people (through the login form).
    static func signedIn(_ site: TestSite, as name: String) async throws -> Browser {
        var browser = Browser(site)
        try await browser.get("/login").expect(.ok)
        try await browser.post("/login", ["login": "\(name)@example.com", "password": TestSite.password]).expect(.seeOther)
        return browser
    }

    @discardableResult
    mutating func get(_ path: String, headers: HTTPFields = [:]) async throws -> WebPage {
        try await send(.get, path, headers: headers, body: nil)
    }

    /// The page a redirect leads to, as a browser follows it (its fragment left out); any other
    /// page as it is.
    mutating func following(_ page: WebPage) async throws -> WebPage {
        guard page.status == .seeOther else { return page }
        return try await get(String(page.location.prefix { $0 != "#" }))
    }

    /// Posts a URL-encoded form; the CSRF token is added unless the fields carry one.
    @discardableResult
    mutating func post(_ path: String, _ fields: KeyValuePairs<String, String>, withToken: Bool = true) async throws -> WebPage {
        var pairs = fields.map { ($0.key, $0.value) }
        if withToken, !pairs.contains(where: { $0.0 == "csrf_token" }) { pairs.append(("csrf_token", csrfToken)) }
        return try await postPairs(path, pairs)
    }

    /// Posts name–value pairs as they are (names may repeat; no token is added).
    @discardableResult
    mutating func postPairs(_ path: String, _ pairs: [(String, String)]) async throws -> WebPage {
        try await send(
            .post, path, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: FormEncoding.encode(pairs)))
    }

    /// Posts a multipart form with one file (after the fields, as browsers send it).
    @discardableResult
    mutating func postMultipart(
        _ path: String, _ fields: KeyValuePairs<String, String>, file: (name: String, type: String, data: String)?
    ) async throws -> WebPage {
        let boundary = "BugZotTestBoundary"
        var body = ""
        for (name, value) in [("csrf_token", csrfToken)] + fields.map({ ($0.key, $0.value) }) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        if let file {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n\(file.data)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return try await send(
            .post, path, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(string: body))
    }

    private mutating func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: ByteBuffer?) async throws -> WebPage {
        var headers = headers
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        let response = try await site.client.execute(uri: path, method: method, headers: headers, body: body)
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let (name, value) = (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let page = WebPage(status: response.status, headers: response.headers, body: response.body)
        if let token = page.csrfToken { csrfToken = token }
        return page
    }
}

/// A response of the web UI.
struct WebPage {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer
    var html: String { String(buffer: body) }

    /// The token in the page's first form.
    var csrfToken: String? {
        guard let range = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    var location: String { headers[.location] ?? "" }

    /// The bug ids a bug list shows, in order.
    var listedBugIDs: [Int] {
        html.components(separatedBy: "<tr data-bug-id=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    @discardableResult
    func expect(_ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) -> WebPage {
        #expect(self.status == status, "page: \(html.prefix(2000))", sourceLocation: sourceLocation)
        return self
    }

    func contains(_ text: String) -> Bool { html.contains(text) }
}
