/// One unit of work holds one connection. A task that asks for a second connection while it
/// holds one waits on itself once the pool (or SQLite's single writer) is taken, a deadlock that
/// shows only under load; so every read and transaction refuses to start inside another, at once
/// and on every database, and callers pass their `SQLStore` down instead.
enum ConnectionScope {
    @TaskLocal private static var isHolding = false

    /// Runs `body` as the task's one connection, or throws `NestedConnectionRequest` when the
    /// task already holds one.
    static func hold<T>(_ body: () async throws -> T) async throws -> T {
        guard !isHolding else { throw NestedConnectionRequest() }
        return try await $isHolding.withValue(true) { try await body() }
    }
}

/// A read or transaction was started inside another one, by the same task: a programming error.
public struct NestedConnectionRequest: Error, CustomStringConvertible {
    public var description: String {
        "A database connection was requested while this task already holds one; pass the SQLStore down instead."
    }
}
