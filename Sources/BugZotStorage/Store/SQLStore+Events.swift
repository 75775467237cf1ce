import BugZotDomain
import Foundation
import SQLKit

/// One row of the events table: a committed change set of one bug, numbered in commit order.
public struct StoredEvent: Sendable, Equatable {
    /// Its sequence number: later commits have larger ones (numbers may be skipped).
    public var sequence: Int
    /// The product the bug was in when the change committed.
    public var productID: Int
    /// What it is news of, in order.
    public var kinds: [BugEvent.Kind]
    /// The change set (bug, actor, time, changes, comments, attachments).
    public var event: BugEvent
}

/// How far back the events table reaches.
public struct EventRange: Sendable, Equatable {
    /// The newest sequence number given out (0 before the first event).
    public var latest: Int
    /// Events up to this one are gone (pruned); `since` this one or later misses none.
    public var prunedThrough: Int
}

/// The part of an event row that is not a column of its own.
private struct EventPayload: Codable {
    var changes: [FieldChange]
    var commentIDs: [Int]
    var attachmentIDs: [Int]

    enum CodingKeys: String, CodingKey {
        case changes
        case commentIDs = "comment_ids"
        case attachmentIDs = "attachment_ids"
    }
}

extension SQLStore {
    /// Records that this transaction raises `event`: its row is written as the transaction
    /// commits, and it is published (`DatabaseChange.events`) once it has committed; a rollback
    /// leaves no row and publishes nothing.
    public func raise(_ event: BugEvent) {
        guard let collector = ChangeCollector.current else {
            preconditionFailure("an event is raised only inside a transaction")
        }
        collector.raise(event)
    }

    /// Writes the rows of `events` in one statement, numbered in the order given; returns their
    /// numbers. On PostgreSQL the caller must hold the event turn (`insertEventsInTurn`).
    func insertEvents(_ events: [BugEvent]) async throws -> ClosedRange<Int>? {
        guard !events.isEmpty else { return nil }
        let rows = try await all(try Self.eventValues(events) + " " + Self.eventInsert(joining: "") + " RETURNING id")
        let ids = try rows.map { try $0.int("id") }
        return ids.min().flatMap { first in ids.max().map { first...$0 } }
    }

    /// PostgreSQL: takes the event turn (held until the transaction ends, so that numbers are given
    /// out in commit order and a reader that has seen N never later finds a smaller one), writes the
    /// rows and sends `payload` plus their numbers on `channel`, all in one statement.
    func insertEventsInTurn(_ events: [BugEvent], channel: String, payload: String) async throws -> ClosedRange<Int>? {
        guard !events.isEmpty else { return nil }
        let values = try Self.eventValues(events) + ","
        // The turn is read before any row is numbered (every row joins it), and is this schema's own.
        let turn: SQLQueryString = """
             turn AS MATERIALIZED (
                SELECT count(*) AS held FROM (SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.events'))) AS taken),
            """
        let insert: SQLQueryString = " raised AS (" + Self.eventInsert(joining: " CROSS JOIN turn") + " RETURNING id)"
        let select: SQLQueryString = """
             SELECT MIN(id) AS first, MAX(id) AS last,
                pg_notify(\(bind: channel), \(bind: payload) || ' e' || MIN(id) || '-' || MAX(id)) IS NULL AS sent
            FROM raised
            """
        guard let row = try await first(values + turn + insert + select), let first = try row.optionalInt("first"),
            let last = try row.optionalInt("last")
        else { return nil }
        return first...last
    }

    /// `WITH v(...) AS (VALUES ...)`: the events' values, numbered in order.
    private static func eventValues(_ events: [BugEvent]) throws -> SQLQueryString {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let rows = try events.enumerated().map { index, event -> SQLQueryString in
            let payload = EventPayload(changes: event.changes, commentIDs: event.commentIDs, attachmentIDs: event.attachmentIDs)
            let kinds = event.kinds.map(\.rawValue).joined(separator: ",")
            return """
                (\(bind: index), \(bind: event.bugID), \(bind: event.actorID), \(bind: event.when.unixSeconds), \(bind: kinds), \
                \(bind: String(decoding: try encoder.encode(payload), as: UTF8.self)))
                """
        }
        return "WITH v (ord, bug_id, actor_id, created_at, kinds, payload) AS (VALUES " + rows.joined(separator: ", ") + ")"
    }

    /// Writes the rows of `v`, numbered in its order, each with its bug's product.
    private static func eventInsert(joining join: SQLQueryString) -> SQLQueryString {
        """
        INSERT INTO events (bug_id, product_id, actor_id, created_at, kinds, payload)
        SELECT bugs.id, bugs.product_id, v.actor_id, v.created_at, v.kinds, v.payload FROM v JOIN bugs ON bugs.id = v.bug_id
        """ + join + " ORDER BY v.ord"
    }

    /// The events after `sequence`, oldest first, at most `limit`.
    public func events(after sequence: Int, limit: Int) async throws -> [StoredEvent] {
        try await all(
            """
            SELECT id, bug_id, product_id, actor_id, created_at, kinds, payload FROM events
            WHERE id > \(bind: sequence) ORDER BY id LIMIT \(bind: limit)
            """
        ).map(Self.storedEvent(from:))
    }

    /// The event numbered `sequence`, if it is kept.
    public func event(sequence: Int) async throws -> StoredEvent? {
        try await first(
            "SELECT id, bug_id, product_id, actor_id, created_at, kinds, payload FROM events WHERE id = \(bind: sequence)"
        ).map(Self.storedEvent(from:))
    }

    /// The newest number given out and how far pruning has gone.
    public func eventRange() async throws -> EventRange {
        guard let row = try await first(
            "SELECT (SELECT MAX(id) FROM events) AS latest, (SELECT pruned_through FROM event_horizon) AS pruned_through")
        else { return EventRange(latest: 0, prunedThrough: 0) }
        let prunedThrough = try row.optionalInt("pruned_through") ?? 0
        return EventRange(latest: max(try row.optionalInt("latest") ?? 0, prunedThrough), prunedThrough: prunedThrough)
    }

    /// Forgets the events that committed before `before` (and any numbered before them), and
    /// records how far they went.
    public func pruneEvents(before: Date) async throws {
        guard let last = try await first("SELECT MAX(id) AS last FROM events WHERE created_at < \(bind: before.unixSeconds)")
            .flatMap({ try $0.optionalInt("last") })
        else { return }
        try await run("DELETE FROM events WHERE id <= \(bind: last)")
        try await run("UPDATE event_horizon SET pruned_through = \(bind: last) WHERE pruned_through < \(bind: last)")
    }

    private static func storedEvent(from row: any SQLRow) throws -> StoredEvent {
        let payload = try JSONDecoder().decode(EventPayload.self, from: Data(try row.string("payload").utf8))
        let kinds = try row.string("kinds").split(separator: ",").compactMap { BugEvent.Kind(rawValue: String($0)) }
        let event = BugEvent(
            bugID: try row.int("bug_id"), actorID: try row.int("actor_id"), when: try row.date("created_at"),
            isNew: kinds.contains(.created), changes: payload.changes, commentIDs: payload.commentIDs, attachmentIDs: payload.attachmentIDs)
        return StoredEvent(sequence: try row.int("id"), productID: try row.int("product_id"), kinds: kinds, event: event)
    }
}
