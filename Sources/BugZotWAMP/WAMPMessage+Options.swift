import BugZotWire

/// The Options and Details keys the specification defines must have their types (autobahn refuses
/// a message otherwise, and so do wamp-proto's test vectors); unknown keys are ignored.
extension WAMPMessage {
    /// Checks the message's predefined Options/Details keys.
    func checkOptions() throws(WAMPProtocolViolation) {
        switch self {
        case .hello(_, let details):
            try Self.check(details, of: "HELLO.Details", Self.helloKeys)
            guard case .object(let roles)? = details["roles"], !roles.isEmpty else {
                throw WAMPProtocolViolation("HELLO.Details.roles must be a dict naming at least one role")
            }
            try Self.checkRoles(roles, of: "HELLO", allowed: ["publisher", "subscriber", "caller", "callee"])
        case .welcome(_, let details):
            try Self.check(details, of: "WELCOME.Details", Self.welcomeKeys)
            guard case .object(let roles)? = details["roles"], !roles.isEmpty else {
                throw WAMPProtocolViolation("WELCOME.Details.roles must be a dict naming at least one role")
            }
            try Self.checkRoles(roles, of: "WELCOME", allowed: ["broker", "dealer"])
        case .abort(let details, _): try Self.check(details, of: "ABORT.Details", Self.closeKeys)
        case .goodbye(let details, _): try Self.check(details, of: "GOODBYE.Details", Self.closeKeys)
        case .publish(_, let options, _, _, _): try Self.check(options, of: "PUBLISH.Options", Self.publishKeys)
        case .subscribe(_, let options, _): try Self.check(options, of: "SUBSCRIBE.Options", Self.subscribeKeys)
        case .event(_, _, let details, _, _): try Self.check(details, of: "EVENT.Details", Self.eventKeys)
        case .call(_, let options, _, _, _): try Self.check(options, of: "CALL.Options", Self.callKeys)
        case .cancel(_, let options): try Self.check(options, of: "CANCEL.Options", Self.cancelKeys)
        case .result(_, let details, _, _): try Self.check(details, of: "RESULT.Details", Self.progressKeys)
        case .register(_, let options, _): try Self.check(options, of: "REGISTER.Options", Self.registerKeys)
        case .invocation(_, _, let details, _, _): try Self.check(details, of: "INVOCATION.Details", Self.invocationKeys)
        case .interrupt(_, let options): try Self.check(options, of: "INTERRUPT.Options", Self.interruptKeys)
        case .yield(_, let options, _, _): try Self.check(options, of: "YIELD.Options", Self.progressKeys)
        case .challenge, .authenticate, .error, .published, .subscribed, .unsubscribe, .unsubscribed, .registered, .unregister,
            .unregistered:
            break
        }
    }

    /// What a predefined key's value must be.
    private enum Expected {
        case bool, string, id, count, dict, list, ids, strings
        case oneOf([String])

        func accepts(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.bool, .bool), (.string, .string), (.dict, .object), (.list, .array): true
            case (.id, .int(let number)): number >= 0 && UInt64(number) <= WAMPID.maximum
            case (.count, .int(let number)): number >= 0
            case (.ids, .array(let items)): items.allSatisfy { Expected.id.accepts($0) }
            case (.strings, .array(let items)): items.allSatisfy { if case .string = $0 { true } else { false } }
            case (.oneOf(let names), .string(let name)): names.contains(name)
            default: false
            }
        }

        var phrase: String {
            switch self {
            case .bool: "a bool"
            case .string: "a string"
            case .id: "an id"
            case .count: "a non-negative integer"
            case .dict: "a dict"
            case .list: "a list"
            case .ids: "a list of ids"
            case .strings: "a list of strings"
            case .oneOf(let names): "one of " + names.joined(separator: ", ")
            }
        }
    }

    private static func check(_ object: JSONObject, of place: String, _ keys: [String: Expected]) throws(WAMPProtocolViolation) {
        for (key, value) in object {
            if let expected = keys[key], !expected.accepts(value) {
                throw WAMPProtocolViolation("\(place).\(key) must be \(expected.phrase)")
            }
        }
    }

    private static func checkRoles(_ roles: JSONObject, of message: String, allowed: Set<String>) throws(WAMPProtocolViolation) {
        for (role, value) in roles {
            guard allowed.contains(role) else { throw WAMPProtocolViolation("\(message).Details.roles has an unknown role \(role)") }
            guard case .object(let features) = value else { throw WAMPProtocolViolation("\(message).Details.roles.\(role) must be a dict") }
            if let listed = features["features"], !Expected.dict.accepts(listed) {
                throw WAMPProtocolViolation("\(message).Details.roles.\(role).features must be a dict")
            }
        }
    }

    private static let matches = Expected.oneOf(WAMPURI.Match.allCases.map(\.rawValue))
    private static let helloKeys: [String: Expected] = [
        "roles": .dict, "authmethods": .strings, "authid": .string, "authrole": .string, "authextra": .dict, "agent": .string,
        "resumable": .bool, "resume_session": .id, "resume_token": .string,
    ]
    private static let welcomeKeys: [String: Expected] = [
        "roles": .dict, "authid": .string, "authrole": .string, "authmethod": .string, "authprovider": .string, "authextra": .dict,
        "realm": .string, "agent": .string, "resumed": .bool, "resumable": .bool, "resume_token": .string,
    ]
    private static let closeKeys: [String: Expected] = ["message": .string]
    private static let publishKeys: [String: Expected] = [
        "acknowledge": .bool, "exclude_me": .bool, "exclude": .ids, "exclude_authid": .strings, "exclude_authrole": .strings,
        "eligible": .ids, "eligible_authid": .strings, "eligible_authrole": .strings, "retain": .bool, "transaction_hash": .string,
        "forward_for": .list,
    ]
    private static let subscribeKeys: [String: Expected] = ["match": matches, "get_retained": .bool, "forward_for": .list]
    private static let eventKeys: [String: Expected] = [
        "publisher": .id, "publisher_authid": .string, "publisher_authrole": .string, "topic": .string, "retained": .bool,
        "transaction_hash": .string, "x_acknowledged_delivery": .bool, "forward_for": .list,
    ]
    private static let callKeys: [String: Expected] = ["timeout": .count, "receive_progress": .bool, "disclose_me": .bool, "forward_for": .list]
    private static let cancelKeys: [String: Expected] = ["mode": .oneOf(["skip", "kill", "killnowait"])]
    private static let interruptKeys: [String: Expected] = ["mode": .oneOf(["kill", "killnowait"]), "reason": .string]
    private static let progressKeys: [String: Expected] = ["progress": .bool]
    private static let registerKeys: [String: Expected] = [
        "match": matches, "invoke": .oneOf(["single", "roundrobin", "random", "first", "last"]), "concurrency": .count,
        "force_reregister": .bool, "forward_for": .list,
    ]
    private static let invocationKeys: [String: Expected] = [
        "caller": .id, "caller_authid": .string, "caller_authrole": .string, "procedure": .string, "timeout": .count,
        "receive_progress": .bool,
    ]
}
