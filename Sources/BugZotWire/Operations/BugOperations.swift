import BugZotDomain
import BugZotServices

/// The bug calls every API makes, in Bugzilla's terms: parameters in (`WireParameters`, however
/// they arrived), Bugzilla-shaped JSON out, the same for REST (`/rest/bug…`) and WAMP
/// (`bugzot.bug.*`). Permissions are the services'; errors are `DomainError`s and `BugzillaError`s,
/// which `WireError` maps for each transport.
public struct BugOperations: Sendable {
    let services: AppServices
    /// The most bugs one search returns (Bugzilla's `max_search_results`); more matches are an error.
    let maxSearchResults: Int

    /// The operations over `services`, searches returning at most `maxSearchResults` bugs.
    public init(services: AppServices, maxSearchResults: Int) {
        self.services = services
        self.maxSearchResults = maxSearchResults
    }

    /// `GET /bug/{id_or_alias}` (`ids`: ids or aliases) → `{"bugs": [...], "faults": [...]}`; with
    /// `permissive` a bug that can't be had is a fault instead of an error (else `faults` is empty).
    /// `include_fields`/`exclude_fields` cut each bug.
    public func get(_ parameters: WireParameters, by principal: Principal) async throws -> JSONValue {
        let permissive = try parameters.bool("permissive") ?? false
        let (bugs, faults) = try await services.bugs.bugs(try parameters.strings("ids"), permissive: permissive, by: principal)
        let faultList: [JSONValue] = faults.map { identifier, error in
            [
                "id": Int(identifier).map(JSONValue.int) ?? .string(identifier), "faultString": .string(error.message),
                "faultCode": .int(BugzillaError.code(for: error)),
            ]
        }
        return try await bugList(bugs, parameters: parameters, viewer: principal, faults: faultList)
    }

    /// `GET /bug/{id}/history` (`ids`; `new_since`) → `{"bugs": [{id, alias, history}]}`.
    public func history(_ parameters: WireParameters, by principal: Principal) async throws -> JSONValue {
        let results = try await services.bugs.history(try parameters.strings("ids"), since: try parameters.date("new_since"), by: principal)
        return [
            "bugs": .array(results.map { bug, history in
                ["id": .int(bug.id), "alias": JSONValue(strings: bug.aliases), "history": .array(history.map(Present.history))]
            })
        ]
    }

    /// `{"bugs": [...]}` (and `faults` when given), each bug as `viewer` sees it, cut by the field filter.
    func bugList(_ bugs: [Bug], parameters: WireParameters, viewer: Principal, faults: [JSONValue]?) async throws -> JSONValue {
        let workflow = try await services.catalog.workflow()
        let filter = try parameters.fieldFilter
        var body: JSONObject = [
            "bugs": .array(bugs.map { .object(filter.apply(to: Present.bug($0, workflow: workflow, viewer: viewer))) })
        ]
        if let faults { body["faults"] = .array(faults) }
        return .object(body)
    }
}
