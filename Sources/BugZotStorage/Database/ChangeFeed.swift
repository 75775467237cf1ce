import BugZotDomain
import Synchronization

/// Something a committed transaction changed that instances keep in memory (who holds which
/// credential, the catalog). Store functions that write it announce it; the database tells this
/// instance right after the commit and, on PostgreSQL, every other instance through `NOTIFY`.
public enum DatabaseChange: Hashable, Sendable {
    /// A person's account, groups, API keys, login tokens, sessions or saved searches.
    case user(Int)
    /// Every person at once (more were changed than one notification names).
    case everyone
    /// Products, components, versions, milestones, field values, keywords, groups or the workflow.
    case catalog
    /// The events with these sequence numbers (`SQLStore.raise`), committed together.
    case events(ClosedRange<Int>)

    /// How a change travels in a notification's payload.
    var encoded: String {
        switch self {
        case .user(let id): "u\(id)"
        case .everyone: "everyone"
        case .catalog: "catalog"
        case .events(let sequences): "e\(sequences.lowerBound)-\(sequences.upperBound)"
        }
    }

    init?(encoded: Substring) {
        switch encoded {
        case "everyone": self = .everyone
        case "catalog": self = .catalog
        default:
            if encoded.first == "u", let id = Int(encoded.dropFirst()) {
                self = .user(id)
            } else if encoded.first == "e", let dash = encoded.firstIndex(of: "-"),
                let first = Int(encoded[encoded.index(after: encoded.startIndex)..<dash]),
                let last = Int(encoded[encoded.index(after: dash)...]), first <= last
            {
                self = .events(first...last)
            } else {
                return nil
            }
        }
    }
}

/// What an observer of a `ChangeFeed` hears.
public enum ChangeNotice: Sendable, Equatable {
    /// These were changed and committed.
    case changed(Set<DatabaseChange>)
    /// Changes may have been missed (the notification connection dropped and came back): forget
    /// everything kept.
    case reset
}

/// Where an instance hears of committed changes, its own and (on PostgreSQL) other instances'.
/// Observers are called synchronously, so a cache told of a change has forgotten it before the
/// transaction that made it returns. While the feed is not `isLive` (PostgreSQL's notification
/// connection is down), other instances' changes may go unheard: caches then keep nothing.
public final class ChangeFeed: Sendable {
    private let observers = Mutex<[@Sendable (ChangeNotice) -> Void]>([])
    private let live: Atomic<Bool>

    /// A feed; `isLive` from the start when nothing else can change the database (SQLite).
    public init(isLive: Bool) {
        self.live = Atomic(isLive)
    }

    /// Whether every committed change is heard (as far as this instance can know).
    public var isLive: Bool { live.load(ordering: .acquiring) }

    /// Calls `observer` with every notice from now on.
    public func observe(_ observer: @escaping @Sendable (ChangeNotice) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Tells every observer.
    func publish(_ notice: ChangeNotice) {
        if case .changed(let changes) = notice, changes.isEmpty { return }
        for observer in observers.withLock({ $0 }) { observer(notice) }
    }

    /// Marks the feed live or not; either way everything kept so far is forgotten (going down,
    /// changes may go unheard from now on; coming back, some may have gone unheard).
    func setLive(_ isLive: Bool) {
        live.store(isLive, ordering: .releasing)
        publish(.reset)
    }
}

/// The changes a transaction announces and the events it raises, published once it commits.
final class ChangeCollector: Sendable {
    /// The collector of the transaction the current task runs, if any.
    @TaskLocal static var current: ChangeCollector?

    private struct State {
        var changes: Set<DatabaseChange> = []
        var events: [BugEvent] = []
    }

    private let state = Mutex(State())

    var collected: Set<DatabaseChange> { state.withLock { $0.changes } }

    /// The events raised, in order; their rows are written as the transaction commits.
    var raised: [BugEvent] { state.withLock { $0.events } }

    func add(_ change: DatabaseChange) {
        _ = state.withLock { $0.changes.insert(change) }
    }

    func raise(_ event: BugEvent) {
        state.withLock { $0.events.append(event) }
    }

    /// Runs a transaction's `body` collecting its announcements.
    static func collecting<T>(_ body: (ChangeCollector) async throws -> T) async rethrows -> T {
        let collector = ChangeCollector()
        return try await $current.withValue(collector) { try await body(collector) }
    }
}

extension SQLStore {
    /// Records that the transaction this store writes in changes `change`; announced when it commits.
    func announce(_ change: DatabaseChange) {
        ChangeCollector.current?.add(change)
    }
}

/// The payload of a change notification: the instance that made the changes, then the changes,
/// space-separated, within PostgreSQL's limit (past it, people collapse into `everyone`).
enum ChangePayload {
    /// Comfortably below PostgreSQL's 8000-byte limit on a payload.
    static let limit = 7000

    static func encode(_ changes: Set<DatabaseChange>, from instance: String) -> String {
        let payload = ([instance] + changes.map(\.encoded).sorted()).joined(separator: " ")
        guard payload.utf8.count > limit else { return payload }
        let collapsed = changes.filter { if case .user = $0 { false } else { true } }.union([.everyone])
        return ([instance] + collapsed.map(\.encoded).sorted()).joined(separator: " ")
    }

    /// The sender and the changes; unknown words (a newer instance's changes) mean everything.
    static func decode(_ payload: String) -> (instance: Substring, notice: ChangeNotice)? {
        let words = payload.split(separator: " ")
        guard let instance = words.first else { return nil }
        var changes: Set<DatabaseChange> = []
        for word in words.dropFirst() {
            guard let change = DatabaseChange(encoded: word) else { return (instance, .reset) }
            changes.insert(change)
        }
        return (instance, .changed(changes))
    }
}
