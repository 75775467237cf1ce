import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// The SQL BugZot runs on a PostgreSQL connection, as named prepared statements: each distinct
/// statement (its text and the types of its values) is parsed and planned once per connection,
/// then only bound and executed, as `log_statement` (`execute bugzot_…`) and
/// `pg_prepared_statements` show. The store does not know: it runs its SQL as ever, through this
/// `SQLDatabase`.
///
/// PostgresNIO prepares a `PostgresPreparedStatement` once per connection, by the statement's
/// name, and both the name and the SQL are static members of its type. So the statements are
/// numbered slots: `SlotStatement<Slot>` for a type `Slot` that spells the slot's number in
/// binary (`Bit1<Bit0<SlotRoot>>`), its SQL looked up in `PreparedStatements.registry`. Past
/// `capacity` distinct statements, and for statements that are not plain queries or values of
/// a type PostgresNIO can't bind directly, SQL runs unnamed as before.
struct PreparingSQLDatabase: SQLDatabase {
    let connection: PostgresConnection
    let base: any SQLDatabase
    /// Whether the SQL runs in a transaction, where a refused statement can't simply run again.
    let inTransaction: Bool
    /// The names of the statements on this database's connections.
    let names: StatementNames

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        guard let (slot, bindings) = PreparedStatements.slot(for: sql, binds: binds) else {
            return try await base.execute(sql: query, onRow)
        }
        let run = RunStatement(connection: connection, bindings: bindings, names: names, logger: logger, onRow: onRow)
        do {
            try await PreparedStatements.visit(slot, run)
        } catch let error as PSQLError where PreparedStatements.isStalePlan(error) {
            names.renameAll()
            // Refused before any row: outside a transaction (which the refusal aborted) the
            // statement runs again, prepared anew under its new name.
            guard !inTransaction else { throw error }
            try await PreparedStatements.visit(slot, run)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession { [connection, inTransaction, names] session in try await closure(PreparingSQLDatabase(connection: connection, base: session, inTransaction: inTransaction, names: names)) }
    }
}

/// `COPY` runs on the connection itself (`CopyBulkWriter`).
extension PreparingSQLDatabase: PostgresConnectionHolding {}

/// The process's numbered statements.
enum PreparedStatements {
    /// Distinct statements prepared at most (on each connection that runs them): far more than
    /// BugZot's queries, with their IN lists of different lengths.
    static let capacity = 1 << bits
    static let bits = 10

    private struct Registry {
        var slots: [String: Int] = [:]
        var statements: [String] = []
    }

    private static let registry = Mutex(Registry())

    /// The slot of a statement and its values bound, or nil when it runs unnamed: anything but a
    /// plain query, values PostgresNIO can't bind as they are, or the registry full.
    static func slot(for sql: String, binds: [any Encodable & Sendable]) -> (Int, PostgresBindings)? {
        guard isPlainQuery(sql) else { return nil }
        var bindings = PostgresBindings(capacity: binds.count)
        var types = ""
        for bind in binds {
            guard let type = append(bind, to: &bindings) else { return nil }
            types += "," + type
        }
        // A statement is planned for the types of its values: the same text with other types is another statement.
        let key = sql + "\u{0}" + types
        return registry.withLock { registry in
            if let slot = registry.slots[key] { return (slot, bindings) }
            guard registry.statements.count < capacity else { return nil }
            registry.slots[key] = registry.statements.count
            registry.statements.append(sql)
            return (registry.statements.count - 1, bindings)
        }
    }

    /// The names of the statements of the database running one (`RunStatement` sets it).
    @TaskLocal static var names: StatementNames?

    /// A slot's name on the server, on the connections of the database running it.
    static func name(of slot: Int) -> String {
        "bugzot_\(names?.epoch ?? 0)_\(slot)"
    }

    static func sql(of slot: Int) -> String {
        registry.withLock { $0.statements[slot] }
    }

    /// "cached plan must not change result type".
    static func isStalePlan(_ error: PSQLError) -> Bool {
        error.serverInfo?[.sqlState] == "0A000" && error.serverInfo?[.message]?.contains("cached plan") == true
    }

    private static func isPlainQuery(_ sql: String) -> Bool {
        let head = sql.prefix { !$0.isWhitespace }.uppercased()
        // Bytes, not `String.contains`: Foundation's substring search bridges the whole statement
        // to NSString (a few percent of a GET bug's CPU for a statement of a few kilobytes).
        return ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(head) && !sql.utf8.contains(UInt8(ascii: ";"))
            && !searchesText(sql)
    }

    /// Whether `sql` queries the full-text index. Such a statement runs unnamed, so that it is
    /// planned for its words every time: the generic plan PostgreSQL settles on after five runs
    /// can't tell a rare word from a common one (a phrase's took seconds at a million bugs).
    private static func searchesText(_ sql: String) -> Bool {
        var sql = sql
        return sql.withUTF8 { contains($0, "to_tsquery(") }
    }

    /// Whether `bytes` hold `word`'s bytes, by a plain scan: the generic `firstRange(of:)` looked
    /// type metadata up for every byte it compared (a fifth of a GET bug's server CPU).
    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        let word = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard let first = word.first, bytes.count >= word.count else { return false }
        var start = 0
        while start <= bytes.count - word.count {
            if bytes[start] == first, UnsafeBufferPointer(rebasing: bytes[start..<start + word.count]).elementsEqual(word) { return true }
            start += 1
        }
        return false
    }

    /// Binds a value as PostgresNIO does for unnamed statements; nil (and nothing bound) for a
    /// value it has no encoding of its own for. Returns the value's type, for the statement's key.
    private static func append(_ value: any Encodable, to bindings: inout PostgresBindings) -> String? {
        if let optional = value as? any OptionalBind {
            guard let wrapped = optional.wrapped else {
                bindings.appendNull()
                return "null"
            }
            return append(wrapped, to: &bindings)
        }
        guard let encodable = value as? any PostgresThrowingDynamicTypeEncodable, (try? bindings.append(encodable)) != nil else { return nil }
        return "\(encodable.psqlType.rawValue)"
    }

    /// Calls `visitor` with the slot type whose number is `slot`.
    static func visit<Visitor: SlotVisitor>(_ slot: Int, _ visitor: Visitor) async throws {
        try await visit(slot, bits: bits, from: SlotRoot.self, visitor)
    }

    private static func visit<Slot: SlotNumber, Visitor: SlotVisitor>(_ slot: Int, bits: Int, from: Slot.Type, _ visitor: Visitor) async throws {
        guard bits > 0 else { return try await visitor.visit(Slot.self) }
        if (slot >> (bits - 1)) & 1 == 0 {
            try await visit(slot, bits: bits - 1, from: Bit0<Slot>.self, visitor)
        } else {
            try await visit(slot, bits: bits - 1, from: Bit1<Slot>.self, visitor)
        }
    }
}

/// The names a database's connections know its statements by: numbered slots of an epoch. A
/// migration changed the columns a prepared `SELECT …*` returns, which PostgreSQL refuses to
/// execute until the statement is prepared again: then every statement goes under a new name, on
/// that database's connections (a read runs the statement again under it; in a transaction, the
/// call that met it fails, as any refused statement does).
final class StatementNames: Sendable {
    private let current = Atomic<Int>(0)

    /// Changes every name when a schema change made prepared plans stale.
    var epoch: Int { current.load(ordering: .relaxed) }

    /// From now on every statement goes under a new name.
    func renameAll() {
        current.add(1, ordering: .relaxed)
    }
}

/// An optional value of a statement, nil or not.
private protocol OptionalBind {
    var wrapped: (any Encodable)? { get }
}

extension Optional: OptionalBind where Wrapped: Encodable {
    fileprivate var wrapped: (any Encodable)? { self }
}

/// A slot number spelled as a type: `SlotRoot` is the leading 1 bit, each `Bit0`/`Bit1` one more bit.
protocol SlotNumber {
    static var number: Int { get }
}

enum SlotRoot: SlotNumber {
    static var number: Int { 1 }
}

enum Bit0<High: SlotNumber>: SlotNumber {
    static var number: Int { High.number << 1 }
}

enum Bit1<High: SlotNumber>: SlotNumber {
    static var number: Int { High.number << 1 | 1 }
}

/// Work done with a slot's type in hand.
protocol SlotVisitor {
    func visit<Slot: SlotNumber>(_ slot: Slot.Type) async throws
}

/// The statement in a slot, with its values.
struct SlotStatement<Slot: SlotNumber>: PostgresPreparedStatement {
    /// The slot, without the leading 1 bit of `SlotRoot`.
    static var slot: Int { Slot.number - PreparedStatements.capacity }
    static var name: String { PreparedStatements.name(of: slot) }
    static var sql: String { PreparedStatements.sql(of: slot) }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// Runs a slot's statement on a connection, handing each row on as SQLKit's.
private struct RunStatement: SlotVisitor {
    let connection: PostgresConnection
    let bindings: PostgresBindings
    let names: StatementNames
    let logger: Logger
    let onRow: @Sendable (any SQLRow) -> Void

    func visit<Slot: SlotNumber>(_ slot: Slot.Type) async throws {
        // The statement's name is read as it is sent.
        let rows = try await PreparedStatements.$names.withValue(names) {
            try await connection.execute(SlotStatement<Slot>(bindings: bindings), logger: logger)
        }
        for try await row in rows {
            onRow(PostgresSQLRow(row))
        }
    }
}
