import Synchronization

/// Fails fast while the database is down. After a call fails for an outage, one call at a time
/// goes through as a probe (bounded by its deadline); every other call is answered at once with
/// the outage, until a call reaches the database again. Recovery needs no one's help.
final class OutageGate: Sendable {
    private struct State {
        var outage: StorageUnavailable?
        var probing = false
    }

    /// How a call was let through.
    enum Admission {
        case normal
        case probe
    }

    private let state = Mutex(State())

    /// Lets a call through, or throws the current outage when another call is already probing.
    func admit() throws -> Admission {
        try state.withLock { state in
            guard let outage = state.outage else { return .normal }
            if state.probing { throw outage }
            state.probing = true
            return .probe
        }
    }

    /// The call reached the database (whatever it answered); true when it was thought down until now.
    func reached(_ admission: Admission) -> Bool {
        state.withLock { state in
            let wasDown = state.outage != nil
            state.outage = nil
            if admission == .probe { state.probing = false }
            return wasDown
        }
    }

    /// The call ended without learning anything (it was cancelled): the state stays as it was.
    func abandoned(_ admission: Admission) {
        if admission == .probe { state.withLock { $0.probing = false } }
    }

    /// The call failed for an outage; true when the database was thought up until now.
    func failed(_ outage: StorageUnavailable, _ admission: Admission) -> Bool {
        state.withLock { state in
            let wasUp = state.outage == nil
            state.outage = outage
            if admission == .probe { state.probing = false }
            return wasUp
        }
    }
}
