import BugZotStorage
import SQLKit
import Testing

/// Every index of `bugs` is kept up to date by each bug written or changed, so none may be one
/// that another index already begins with: it would cost every write and serve no read the
/// longer one does not.
@Suite("Indexes of bugs")
struct BugIndexTests {
    @Test("no plain index of bugs is the leading part of another", arguments: TestBackend.all)
    func noRedundantIndex(backend: TestBackend) async throws {
        try await backend.withMigratedDatabase { database in
            let rows = try await database.read { sql in
                try await sql.raw(database.kind == .postgres ? Self.postgresColumns : Self.sqliteColumns).all()
            }
            var columns: [String: [String?]] = [:]
            for row in rows {
                columns[try row.decode(column: "idx", as: String.self), default: []].append(try row.decode(column: "col", as: String?.self))
            }
            // Indexes of expressions (a null column) are left out: their order is not a column's.
            let plain = columns.compactMapValues { $0.contains(nil) ? nil : $0.compactMap { $0 } }
            #expect(plain.keys.contains("bugs_product_resolution_changed"))
            for (shorter, lead) in plain {
                for (longer, all) in plain where longer != shorter && all.count >= lead.count {
                    #expect(Array(all.prefix(lead.count)) != lead, "\(shorter) \(lead) begins \(longer) \(all)")
                }
            }
        }
    }

    /// The columns, in order, of each index of bugs that is neither unique nor partial.
    private static let sqliteColumns: SQLQueryString = """
        SELECT il.name AS idx, ii.name AS col FROM pragma_index_list('bugs') il JOIN pragma_index_info(il.name) ii
        WHERE il."unique" = 0 AND il.partial = 0 ORDER BY il.name, ii.seqno
        """

    private static let postgresColumns: SQLQueryString = """
        SELECT i.relname AS idx, a.attname::text AS col
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
        LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
        WHERE x.indrelid = 'bugs'::regclass AND NOT x.indisunique AND x.indpred IS NULL
            AND i.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')
        ORDER BY i.relname, k.n
        """
}
