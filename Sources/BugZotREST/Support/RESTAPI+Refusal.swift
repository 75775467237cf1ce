import BugZotHTTP
import BugZotWire

extension RESTAPI {
    /// The paths whose errors have Bugzilla's JSON shape (the REST API and BugZot's own API).
    public static let apiPrefixes = ["/rest", "/api", "/attachments"]

    /// Whether `path` is under one of `apiPrefixes`.
    public static func isAPIPath(_ path: String) -> Bool {
        apiPrefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// A request refused before it reached the router, as a Bugzilla error: 503 (try again) for too
    /// many connections, otherwise 400, which Bugzilla clients read.
    public static func refusal(_ refusal: ConnectionRefusal) -> RefusalResponse {
        let code = refusal == .tooManyConnections ? BugzillaError.unavailableCode : BugzillaError.badRequestCode
        let fault = BugzillaError(code: code, message: refusal.message)
        return RefusalResponse(status: fault.status, contentType: "application/json; charset=utf-8", body: fault.body.jsonBytes)
    }
}
