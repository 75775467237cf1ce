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
        if cells.contains(column) {
            let cell = cells[column]
            // A user-defined type's cell (an enum) is text to PostgresKit: left to it.
            if !cell.dataType.isUserDefined, let value = try? Self.decode(T.self, cell) { return value }
        }
        return try row.sql().decode(column: column, as: T.self)
    }

    /// The cell as PostgresNIO decodes it: the types the store reads most, each by its own
    /// specialized code; any other of PostgresNIO's types through its protocol; nil for the rest.
    private static func decode<T>(_: T.Type, _ cell: PostgresCell) throws -> T? {
        if T.self == String.self { return try cell.decode(String.self) as? T }
        if T.self == Int.self { return try cell.decode(Int.self) as? T }
        if T.self == String?.self { return try cell.decode(String?.self) as? T }
        if T.self == Int?.self { return try cell.decode(Int?.self) as? T }
        if T.self == Bool.self { return try cell.decode(Bool.self) as? T }
        guard let type = T.self as? any PostgresDecodable.Type else { return nil }
        return try decodeAny(type, cell) as? T
    }

    private static func decodeAny<D: PostgresDecodable>(_: D.Type, _ cell: PostgresCell) throws -> D {
        try cell.decode(D.self)
    }
}
