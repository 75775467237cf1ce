extension Schema {
    /// The open (or resolved) bugs of one product in id order, the order of a search that names
    /// none — a quicksearch (`OPEN product:X word`) or a REST search without `order` — so that a
    /// page walks them from the first and stops at its end, testing its other conditions on
    /// those bugs alone, instead of reading every bug of the product to sort them (a second at a
    /// million bugs for a common word of a quicksearch, whose alternatives no index serves).
    static let productIDIndexes = [
        "CREATE INDEX bugs_product_resolution_id ON bugs (product_id, resolution, id)",
        "ANALYZE bugs",
    ]
}
