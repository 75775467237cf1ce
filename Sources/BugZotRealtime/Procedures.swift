import BugZotDomain
import BugZotServices
import BugZotWAMP
import BugZotWire
import Logging

/// A CALL of a built-in procedure, with who makes it.
struct ProcedureCall: Sendable {
    let session: UInt64
    let identity: SessionIdentity
    let arguments: [JSONValue]
    let argumentsKw: JSONObject
}

/// What a built-in procedure answers.
enum ProcedureReply: Sendable {
    /// RESULT with this one positional result.
    case result(JSONValue)
    /// ERROR `uri`; the details and keyword arguments carry `message` (and Bugzilla's `code`).
    case failure(RouterRefusal, code: Int?)

    func message(request: UInt64) -> WAMPMessage {
        switch self {
        case .result(let value): .result(request: request, details: [:], arguments: [value], argumentsKw: nil)
        case .failure(let refusal, let code): refusal.error(.call, request: request, code: code)
        }
    }
}

/// A procedure the router itself answers.
typealias BuiltInProcedure = @Sendable (ProcedureCall) async -> ProcedureReply

extension WAMPRouter {
    /// The built-in procedure of that name: `bugzot.bug.*` with REST's permissions and errors,
    /// `bugzot.events.since`, and the meta API for administrators.
    func builtIn(_ procedure: String) -> BuiltInProcedure? {
        switch procedure {
        case "bugzot.bug.get": bugOperation { try await $0.get($1, by: $2) }
        case "bugzot.bug.search": bugOperation { try await $0.search($1, by: $2) }
        case "bugzot.bug.create": bugOperation { try await $0.create($1, by: $2) }
        case "bugzot.bug.update": bugOperation { try await $0.update($1, by: $2) }
        case "bugzot.bug.comment": bugOperation { try await $0.comment($1, by: $2) }
        case "bugzot.bug.history": bugOperation { try await $0.history($1, by: $2) }
        case "bugzot.events.since": eventsSince
        default: metaProcedure(procedure)
        }
    }

    /// A `BugOperations` call: positional arguments are ids, keyword arguments REST's parameters.
    private func bugOperation(
        _ operation: @escaping @Sendable (BugOperations, WireParameters, Principal) async throws -> JSONValue
    ) -> BuiltInProcedure {
        { [operations, logger] call in
            do {
                let parameters = WireParameters(positional: call.arguments, keywords: call.argumentsKw)
                return .result(try await operation(operations, parameters, call.identity.principal))
            } catch {
                if WireError.isUnexpected(error) { logger.error("WAMP call failed", metadata: ["error": "\(String(reflecting: error))"]) }
                return Self.failure(error)
            }
        }
    }

    /// `bugzot.events.since(sequence, limit=1000)`: the news after `sequence` the caller may see,
    /// oldest first, as EVENT payloads, `{"events": [...], "latest_sequence": N}`; with fewer than
    /// `limit` events between the two, the caller has missed nothing up to `latest_sequence`.
    private var eventsSince: BuiltInProcedure {
        { [services, logger] call in
            do {
                let parameters = WireParameters(positional: [], keywords: call.argumentsKw)
                let since: Int
                switch call.arguments.first {
                case .int(let value)?: since = value
                case nil:
                    guard let value = try parameters.int("since") ?? parameters.int("sequence") else {
                        throw DomainError.missingParameter("since", function: "bugzot.events.since")
                    }
                    since = value
                case let value?: throw DomainError.notNumeric(parameter: "since", value: value.text ?? "a list or object")
                }
                let limit = try parameters.int("limit") ?? EventService.maximumReplay
                let latest = try await services.events.latestSequence
                let news = try await services.events.since(since, limit: limit, for: call.identity.principal)
                let workflow = try await services.catalog.workflow()
                return .result([
                    "events": .array(news.map { BugNewsTopics.payload($0, workflow: workflow, viewer: call.identity.principal) }),
                    "latest_sequence": .int(latest),
                ])
            } catch {
                if WireError.isUnexpected(error) { logger.error("WAMP call failed", metadata: ["error": "\(String(reflecting: error))"]) }
                return Self.failure(error)
            }
        }
    }

    /// A failure as every API reports it: the WAMP URI, Bugzilla's code and message.
    static func failure(_ error: any Error) -> ProcedureReply {
        let described = WireError.describe(error)
        return .failure(RouterRefusal(uri: described.wampURI, message: described.message), code: described.code)
    }
}
