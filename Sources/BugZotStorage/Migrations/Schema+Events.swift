extension Schema {
    /// The events table: one row per committed change set of a bug, numbered in commit order, its
    /// payload the change set (field changes, comment and attachment ids) as JSON; kept for a
    /// bounded time (`SQLStore.pruneEvents`), with `event_horizon` saying how far pruning has gone.
    /// Both start empty: the changes made before are not events (nothing is backfilled).
    static func events(_ kind: DatabaseKind) -> [String] {
        [
            """
            CREATE TABLE events (
                id \(primaryKey(kind)),
                bug_id BIGINT NOT NULL,
                product_id BIGINT NOT NULL,
                actor_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                kinds TEXT NOT NULL,
                payload TEXT NOT NULL
            )
            """,
            "CREATE INDEX events_created ON events (created_at)",
            "CREATE TABLE event_horizon (pruned_through BIGINT NOT NULL)",
            "INSERT INTO event_horizon (pruned_through) VALUES (0)",
        ]
    }
}
