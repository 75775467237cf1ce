/// The dealer's registrations: each procedure URI (matched exactly) has at most one callee.
public struct ProcedureRegistry: Sendable {
    /// One registered procedure.
    public struct Registration: Sendable, Equatable {
        /// The registration id (router scope, from 1).
        public let id: UInt64
        /// The procedure URI.
        public let procedure: String
        /// The callee's session.
        public let session: UInt64
    }

    private var ids = WAMPIDCounter()
    private var byProcedure: [String: Registration] = [:]
    private var byID: [UInt64: Registration] = [:]
    private var bySession: [UInt64: Set<UInt64>] = [:]

    /// An empty registry; registration ids count from 1.
    public init() {}

    /// Registers `procedure` (already checked with `WAMPURI.isValid`) for `session`; nil when
    /// it is registered already (`wamp.error.procedure_already_exists`), by this session or another.
    public mutating func register(session: UInt64, procedure: String) -> UInt64? {
        guard byProcedure[procedure] == nil else { return nil }
        let registration = Registration(id: ids.next(), procedure: procedure, session: session)
        byProcedure[procedure] = registration
        byID[registration.id] = registration
        bySession[session, default: []].insert(registration.id)
        return registration.id
    }

    /// Ends `session`'s registration; nil when the session holds none of that id
    /// (`wamp.error.no_such_registration`).
    @discardableResult
    public mutating func unregister(session: UInt64, registration id: UInt64) -> Registration? {
        guard let registration = byID[id], registration.session == session else { return nil }
        remove(registration)
        return registration
    }

    /// Ends every registration `session` holds (it left or was aborted).
    @discardableResult
    public mutating func removeAll(session: UInt64) -> [Registration] {
        guard let held = bySession[session] else { return [] }
        let registrations = held.sorted().compactMap { byID[$0] }
        registrations.forEach { remove($0) }
        return registrations
    }

    private mutating func remove(_ registration: Registration) {
        byProcedure[registration.procedure] = nil
        byID[registration.id] = nil
        bySession[registration.session]?.remove(registration.id)
        if bySession[registration.session]?.isEmpty == true { bySession[registration.session] = nil }
    }

    /// Who answers calls of `procedure`: the registration and the callee's session.
    public func callee(of procedure: String) -> (registration: UInt64, session: UInt64)? {
        byProcedure[procedure].map { ($0.id, $0.session) }
    }

    /// The registration of an id.
    public func registration(_ id: UInt64) -> Registration? { byID[id] }

    /// The registrations `session` holds.
    public func registrations(of session: UInt64) -> Set<UInt64> { bySession[session] ?? [] }
}
