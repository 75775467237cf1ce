extension Schema {
    /// Indexes of `bugs` that another index already leads with: `(product_id)`, `(component_id)`,
    /// `(assignee_id)` and `(last_change_at)` begin the list indexes of migration 011, which serve
    /// every lookup they served. Each bug written or changed (a change moves its last change, so
    /// PostgreSQL rewrites every index entry of the row) kept them too: a sixth of the index
    /// entries of a `PUT`. And PostgreSQL, taking a lone product or component index for
    /// independent of another, would intersect the two and sort the matches instead of walking
    /// one in the page's order.
    static let redundantIndexes = [
        "DROP INDEX IF EXISTS bugs_product",
        "DROP INDEX IF EXISTS bugs_component",
        "DROP INDEX IF EXISTS bugs_assignee",
        "DROP INDEX IF EXISTS bugs_last_change_at",
    ]
}
