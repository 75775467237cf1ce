import Synchronization

/// Fails fast while the database is down. After a call fails for an outage, one call at a time
/// goes through as a probe (bounded by its deadline); every other call is answered at once with
/// the outage, until a call reaches the database again. Recovery needs no one's help.
final class OutageGate: Sendable {
    private struct State {
        var outage: StorageUnavailable?
        var probing = false
        /// Counts the calls that reached the database: a failure of a call that started before
        /// the last success is old news and does not close the gate again.
        var successes = 0
    }

    /// How a call was let through.
    struct Admission {
        let isProbe: Bool
        /// `State.successes` when the call started.
        let successes: Int
    }

    private let state = Mutex(State())

    /// Lets a call through, or throws the current outage when another call is already probing.
    func admit() throws -> Admission {
        try state.withLock { state in
            guard let outage = state.outage else { return Admission(isProbe: false, successes: state.successes) }
            if state.probing { throw outage }
            state.probing = true
            return Admission(isProbe: true, successes: state.successes)
        }
    }

    /// The call reached the database (whatever it answered); true when it was thought down until now.
    func reached(_ admission: Admission) -> Bool {
        state.withLock { state in
            let wasDown = state.outage != nil
            state.outage = nil
            state.successes += 1
            if admission.isProbe { state.probing = false }
            return wasDown
        }
    }

    /// The call ended without learning anything (it was cancelled): the state stays as it was.
    func abandoned(_ admission: Admission) {
        if admission.isProbe { state.withLock { $0.probing = false } }
    }

    /// The call failed for an outage; true when that closes the gate (the database was thought up).
    func failed(_ outage: StorageUnavailable, _ admission: Admission) -> Bool {
        state.withLock { state in
            if admission.isProbe { state.probing = false }
            guard state.successes == admission.successes else { return false }  // it has answered since
            let wasUp = state.outage == nil
            state.outage = outage
            return wasUp
        }
    }
}
