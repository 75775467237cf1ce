extension Schema {
    /// Indexes that fit the lists and searches people run most, so that a page of 25 costs the
    /// same at a million bugs as at a thousand: each walks the rows of one product, component or
    /// assignee in the page's order (last change first, ties by id as `searchBugIDs` orders them)
    /// and stops at the page's end, with no sort of the matching set. `bugs_changed` does the same
    /// for lists filtered by nothing indexed, and for deep keyset pages (`after=`), which start
    /// where the cursor is. The planner's statistics of `bugs` are refreshed so that it chooses
    /// them (that table's only: on PostgreSQL a bare ANALYZE reads every schema's).
    static let listIndexes = [
        "CREATE INDEX bugs_product_resolution_changed ON bugs (product_id, resolution, last_change_at DESC, id)",
        "CREATE INDEX bugs_product_status_changed ON bugs (product_id, status, last_change_at DESC, id)",
        "CREATE INDEX bugs_component_status_changed ON bugs (component_id, status, last_change_at DESC, id)",
        "CREATE INDEX bugs_assignee_resolution_changed ON bugs (assignee_id, resolution, last_change_at DESC, id)",
        "CREATE INDEX bugs_changed ON bugs (last_change_at DESC, id)",
        "ANALYZE bugs",
    ]
}
