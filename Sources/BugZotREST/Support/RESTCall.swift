import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotWire
import HTTPTypes
import Hummingbird
import NIOCore

/// One call to the REST API: its merged parameters and who is calling.
struct RESTCall: Sendable {
    let parameters: WireParameters
    let clientAddress: String
    /// The caller; anonymous on login-exempt routes unless `Bugzilla_login` is given.
    private(set) var principal = Principal.anonymous

    /// Reads the JSON body (bounded by `bodyLimit`), merges it with the path and query, and
    /// authenticates the caller: bad credentials fail every route that is not login-exempt.
    init(
        _ request: Request, context: AppRequestContext, path: [String: String] = [:], bodyLimit: Int, auth: AuthService,
        loginExempt: Bool, readsBody: Bool = true
    ) async throws {
        var request = request
        var body = JSONObject()
        if readsBody, request.method == .post || request.method == .put {
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: bodyLimit)
            } catch is NIOTooManyBytesError {
                throw DomainError.requestTooLarge(limit: bodyLimit)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw DomainError.requestTooLarge(limit: bodyLimit)
            }
            if buffer.readableBytes > 0 {
                guard case .object(let object) = try? JSONValue(parsing: buffer) else {
                    throw BugzillaError(code: BugzillaError.badRequestCode, message: "The request body must be a JSON object.")
                }
                body = object
            }
        }
        self.parameters = WireParameters(path: path, query: FormEncoding.decode(request.uri.query ?? ""), body: body)
        self.clientAddress = context.clientAddress
        // Stock Bugzilla: login-exempt methods ignore credentials unless Bugzilla_login is present,
        // so a stale token never breaks /version.
        if !loginExempt || parameters.has("Bugzilla_login") {
            let credentials = try Self.credentials(parameters, apiKeyHeader: request.headers[Self.apiKeyHeader], loginExempt: loginExempt)
            principal = try await auth.principal(for: credentials, clientAddress: clientAddress)
        }
    }

    private static let apiKeyHeader = HTTPField.Name("X-BUGZILLA-API-KEY")!

    /// The credentials a call carries, strongest first. On the login route `login`/`password`
    /// are its arguments, not credentials.
    private static func credentials(_ parameters: WireParameters, apiKeyHeader: String?, loginExempt: Bool) throws -> Credentials {
        if let key = try parameters.string("Bugzilla_api_key") ?? parameters.string("api_key") ?? apiKeyHeader {
            return .apiKey(key)
        }
        if let token = try parameters.string("Bugzilla_token") ?? parameters.string("token") { return .token(token) }
        if let login = try parameters.string("Bugzilla_login"), let password = try parameters.string("Bugzilla_password") {
            return .password(login: login, password: password)
        }
        if !loginExempt, let login = try parameters.string("login"), let password = try parameters.string("password") {
            return .password(login: login, password: password)
        }
        return .none
    }

    /// The caller, who must be signed in.
    func user() throws(DomainError) -> Principal {
        guard !principal.isAnonymous else { throw .loginRequired }
        return principal
    }
}

/// A JSON response with Bugzilla's status for success.
func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
}
