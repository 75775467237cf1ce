import PostgresKit
import PostgresNIO
import SQLKit

/// A row of a prepared statement as SQLKit's `SQLRow`, decoding its cells the way PostgresKit
/// does for the types PostgresNIO decodes itself (integers, text, booleans, times, their
/// optionals) without the coding path PostgresKit builds for every cell it reads (a string of the
/// column's name and index, an array and a dictionary per value). Other types, and a cell
/// PostgresNIO can't decode as asked, go through PostgresKit's row, for its conversions and errors.
struct PostgresSQLRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        self.cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        !cells.contains(column) || cells[column].bytes == nil
    }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        if cells.contains(column), let direct = T.self as? any PostgresDecodable.Type, let value = try? Self.decode(direct, cells[column]) as? T {
            return value
        }
        return try row.sql().decode(column: column, as: T.self)
    }

    /// A user-defined type's cell (an enum) is text to PostgresKit: left to it.
    private static func decode<D: PostgresDecodable>(_ type: D.Type, _ cell: PostgresCell) throws -> D? {
        cell.dataType.isUserDefined ? nil : try cell.decode(D.self)
    }
}
