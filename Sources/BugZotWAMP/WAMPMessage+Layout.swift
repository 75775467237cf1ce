import BugZotWire

/// The layout of each message (wamp.md §2): its elements in order and their types, one table for
/// every serializer. Reading checks the length and every element's type; writing goes through a
/// `WAMPFieldWriter`, so each serializer writes straight into its buffer.
extension WAMPMessage {
    /// The message a decoded list holds: `[Code, …]`, checked against the code's layout and the
    /// types of its predefined Options/Details keys.
    public init(elements: [JSONValue]) throws(WAMPProtocolViolation) {
        guard let first = elements.first else { throw WAMPProtocolViolation("a message must be a non-empty list") }
        guard case .int(let code) = first else { throw WAMPProtocolViolation("a message must start with its integer type code") }
        guard let type = WAMPMessageType(rawValue: code) else { throw WAMPProtocolViolation("unknown message type \(code)") }
        let (minimum, maximum) = type.elementCounts
        guard (minimum...maximum).contains(elements.count) else {
            let expected = minimum == maximum ? "\(minimum)" : "\(minimum) to \(maximum)"
            throw WAMPProtocolViolation("\(type.name) must have \(expected) elements, not \(elements.count)")
        }
        var fields = Fields(elements: elements, type: type)
        switch type {
        case .hello: self = .hello(realm: try fields.string("Realm"), details: try fields.object("Details"))
        case .welcome: self = .welcome(session: try fields.id("Session"), details: try fields.object("Details"))
        case .abort:
            self = .abort(details: try fields.object("Details"), reason: try fields.string("Reason"))
            _ = try fields.arguments()
            _ = try fields.argumentsKw()
        case .challenge: self = .challenge(method: try fields.string("AuthMethod"), extra: try fields.object("Extra"))
        case .authenticate: self = .authenticate(signature: try fields.string("Signature"), extra: try fields.object("Extra"))
        case .goodbye: self = .goodbye(details: try fields.object("Details"), reason: try fields.string("Reason"))
        case .error:
            self = .error(
                requestType: try fields.integer("REQUEST.Type"), request: try fields.id("REQUEST.Request"),
                details: try fields.object("Details"), error: try fields.string("Error"),
                arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        case .publish:
            self = .publish(
                request: try fields.id("Request"), options: try fields.object("Options"), topic: try fields.string("Topic"),
                arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        case .published: self = .published(request: try fields.id("Request"), publication: try fields.id("Publication"))
        case .subscribe:
            self = .subscribe(request: try fields.id("Request"), options: try fields.object("Options"), topic: try fields.string("Topic"))
        case .subscribed: self = .subscribed(request: try fields.id("Request"), subscription: try fields.id("Subscription"))
        case .unsubscribe: self = .unsubscribe(request: try fields.id("Request"), subscription: try fields.id("Subscription"))
        case .unsubscribed: self = .unsubscribed(request: try fields.id("Request"))
        case .event:
            self = .event(
                subscription: try fields.id("Subscription"), publication: try fields.id("Publication"),
                details: try fields.object("Details"), arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        case .call:
            self = .call(
                request: try fields.id("Request"), options: try fields.object("Options"), procedure: try fields.string("Procedure"),
                arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        case .cancel: self = .cancel(request: try fields.id("Request"), options: try fields.object("Options"))
        case .result:
            self = .result(
                request: try fields.id("Request"), details: try fields.object("Details"),
                arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        case .register:
            self = .register(request: try fields.id("Request"), options: try fields.object("Options"), procedure: try fields.string("Procedure"))
        case .registered: self = .registered(request: try fields.id("Request"), registration: try fields.id("Registration"))
        case .unregister: self = .unregister(request: try fields.id("Request"), registration: try fields.id("Registration"))
        case .unregistered: self = .unregistered(request: try fields.id("Request"))
        case .invocation:
            self = .invocation(
                request: try fields.id("Request"), registration: try fields.id("Registration"), details: try fields.object("Details"),
                arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        case .interrupt: self = .interrupt(request: try fields.id("Request"), options: try fields.object("Options"))
        case .yield:
            self = .yield(
                request: try fields.id("Request"), options: try fields.object("Options"),
                arguments: try fields.arguments(), argumentsKw: try fields.argumentsKw())
        }
        try checkOptions()
    }

    /// Writes the message's elements to `writer`, leaving out empty trailing Arguments/ArgumentsKw.
    func write(to writer: inout some WAMPFieldWriter) {
        switch self {
        case .hello(let realm, let details):
            writer.begin(type: .hello, count: 3)
            writer.write(string: realm)
            writer.write(object: details)
        case .welcome(let session, let details):
            writer.begin(type: .welcome, count: 3)
            writer.write(id: session)
            writer.write(object: details)
        case .abort(let details, let reason):
            writer.begin(type: .abort, count: 3)
            writer.write(object: details)
            writer.write(string: reason)
        case .challenge(let method, let extra):
            writer.begin(type: .challenge, count: 3)
            writer.write(string: method)
            writer.write(object: extra)
        case .authenticate(let signature, let extra):
            writer.begin(type: .authenticate, count: 3)
            writer.write(string: signature)
            writer.write(object: extra)
        case .goodbye(let details, let reason):
            writer.begin(type: .goodbye, count: 3)
            writer.write(object: details)
            writer.write(string: reason)
        case .error(let requestType, let request, let details, let error, let arguments, let argumentsKw):
            writer.begin(type: .error, count: 5 + Self.payloadCount(arguments, argumentsKw))
            writer.write(integer: requestType)
            writer.write(id: request)
            writer.write(object: details)
            writer.write(string: error)
            writer.writePayload(arguments, argumentsKw)
        case .publish(let request, let options, let topic, let arguments, let argumentsKw):
            writer.begin(type: .publish, count: 4 + Self.payloadCount(arguments, argumentsKw))
            writer.write(id: request)
            writer.write(object: options)
            writer.write(string: topic)
            writer.writePayload(arguments, argumentsKw)
        case .published(let request, let publication):
            writer.begin(type: .published, count: 3)
            writer.write(id: request)
            writer.write(id: publication)
        case .subscribe(let request, let options, let topic):
            writer.begin(type: .subscribe, count: 4)
            writer.write(id: request)
            writer.write(object: options)
            writer.write(string: topic)
        case .subscribed(let request, let subscription):
            writer.begin(type: .subscribed, count: 3)
            writer.write(id: request)
            writer.write(id: subscription)
        case .unsubscribe(let request, let subscription):
            writer.begin(type: .unsubscribe, count: 3)
            writer.write(id: request)
            writer.write(id: subscription)
        case .unsubscribed(let request):
            writer.begin(type: .unsubscribed, count: 2)
            writer.write(id: request)
        case .event(let subscription, let publication, let details, let arguments, let argumentsKw):
            writer.begin(type: .event, count: 4 + Self.payloadCount(arguments, argumentsKw))
            writer.write(id: subscription)
            writer.write(id: publication)
            writer.write(object: details)
            writer.writePayload(arguments, argumentsKw)
        case .call(let request, let options, let procedure, let arguments, let argumentsKw):
            writer.begin(type: .call, count: 4 + Self.payloadCount(arguments, argumentsKw))
            writer.write(id: request)
            writer.write(object: options)
            writer.write(string: procedure)
            writer.writePayload(arguments, argumentsKw)
        case .cancel(let request, let options):
            writer.begin(type: .cancel, count: 3)
            writer.write(id: request)
            writer.write(object: options)
        case .result(let request, let details, let arguments, let argumentsKw):
            writer.begin(type: .result, count: 3 + Self.payloadCount(arguments, argumentsKw))
            writer.write(id: request)
            writer.write(object: details)
            writer.writePayload(arguments, argumentsKw)
        case .register(let request, let options, let procedure):
            writer.begin(type: .register, count: 4)
            writer.write(id: request)
            writer.write(object: options)
            writer.write(string: procedure)
        case .registered(let request, let registration):
            writer.begin(type: .registered, count: 3)
            writer.write(id: request)
            writer.write(id: registration)
        case .unregister(let request, let registration):
            writer.begin(type: .unregister, count: 3)
            writer.write(id: request)
            writer.write(id: registration)
        case .unregistered(let request):
            writer.begin(type: .unregistered, count: 2)
            writer.write(id: request)
        case .invocation(let request, let registration, let details, let arguments, let argumentsKw):
            writer.begin(type: .invocation, count: 4 + Self.payloadCount(arguments, argumentsKw))
            writer.write(id: request)
            writer.write(id: registration)
            writer.write(object: details)
            writer.writePayload(arguments, argumentsKw)
        case .interrupt(let request, let options):
            writer.begin(type: .interrupt, count: 3)
            writer.write(id: request)
            writer.write(object: options)
        case .yield(let request, let options, let arguments, let argumentsKw):
            writer.begin(type: .yield, count: 3 + Self.payloadCount(arguments, argumentsKw))
            writer.write(id: request)
            writer.write(object: options)
            writer.writePayload(arguments, argumentsKw)
        }
        writer.end()
    }

    /// How many trailing payload elements are written: ArgumentsKw needs Arguments before it.
    private static func payloadCount(_ arguments: [JSONValue]?, _ argumentsKw: JSONObject?) -> Int {
        if let argumentsKw, !argumentsKw.isEmpty { return 2 }
        if let arguments, !arguments.isEmpty { return 1 }
        return 0
    }
}

extension WAMPMessageType {
    /// How many elements (the code included) a message of this type has, at least and at most.
    var elementCounts: (Int, Int) {
        switch self {
        case .hello, .welcome, .challenge, .authenticate, .goodbye: (3, 3)
        case .abort: (3, 5)
        case .error: (5, 7)
        case .publish, .event, .call, .invocation: (4, 6)
        case .result, .yield: (3, 5)
        case .subscribe, .register: (4, 4)
        case .published, .subscribed, .unsubscribe, .registered, .unregister, .cancel, .interrupt: (3, 3)
        case .unsubscribed, .unregistered: (2, 2)
        }
    }
}

/// What a serializer writes a message's elements with.
protocol WAMPFieldWriter {
    /// Starts a message of `type` with `count` elements, the code included, and writes the code.
    mutating func begin(type: WAMPMessageType, count: Int)
    /// Writes an id element.
    mutating func write(id: UInt64)
    /// Writes an integer element (ERROR's REQUEST.Type).
    mutating func write(integer: Int)
    /// Writes a string or URI element.
    mutating func write(string: String)
    /// Writes a dict element.
    mutating func write(object: JSONObject)
    /// Writes a list element.
    mutating func write(array: [JSONValue])
    /// Ends the message.
    mutating func end()
}

extension WAMPFieldWriter {
    /// The trailing Arguments and ArgumentsKw, as `payloadCount` counted them.
    mutating func writePayload(_ arguments: [JSONValue]?, _ argumentsKw: JSONObject?) {
        if let argumentsKw, !argumentsKw.isEmpty {
            write(array: arguments ?? [])
            write(object: argumentsKw)
        } else if let arguments, !arguments.isEmpty {
            write(array: arguments)
        }
    }
}

/// A cursor over a decoded message's elements, checking each one's type.
private struct Fields {
    let elements: [JSONValue]
    let type: WAMPMessageType
    var index = 1

    init(elements: [JSONValue], type: WAMPMessageType) {
        self.elements = elements
        self.type = type
    }

    mutating func next() -> JSONValue? {
        guard index < elements.count else { return nil }
        defer { index += 1 }
        return elements[index]
    }

    func wrong(_ name: String, _ expected: String) -> WAMPProtocolViolation {
        WAMPProtocolViolation("\(type.name) \(name) must be \(expected)")
    }

    mutating func id(_ name: String) throws(WAMPProtocolViolation) -> UInt64 {
        guard case .int(let value)? = next(), value >= 0, UInt64(value) <= WAMPID.maximum else {
            throw wrong(name, "an integer id in 0...2^53")
        }
        return UInt64(value)
    }

    mutating func integer(_ name: String) throws(WAMPProtocolViolation) -> Int {
        guard case .int(let value)? = next() else { throw wrong(name, "an integer") }
        return value
    }

    mutating func string(_ name: String) throws(WAMPProtocolViolation) -> String {
        guard case .string(let value)? = next() else { throw wrong(name, "a string") }
        return value
    }

    mutating func object(_ name: String) throws(WAMPProtocolViolation) -> JSONObject {
        guard case .object(let value)? = next() else { throw wrong(name, "a dict") }
        return value
    }

    /// The optional Arguments list (nil when absent or empty).
    mutating func arguments() throws(WAMPProtocolViolation) -> [JSONValue]? {
        guard index < elements.count else { return nil }
        guard case .array(let value)? = next() else { throw wrong("Arguments", "a list") }
        return value.isEmpty ? nil : value
    }

    /// The optional ArgumentsKw dict (nil when absent or empty).
    mutating func argumentsKw() throws(WAMPProtocolViolation) -> JSONObject? {
        guard index < elements.count else { return nil }
        guard case .object(let value)? = next() else { throw wrong("ArgumentsKw", "a dict") }
        return value.isEmpty ? nil : value
    }
}
