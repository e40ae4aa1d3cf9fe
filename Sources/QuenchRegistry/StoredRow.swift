import GRDB

/// Typed reads of registry rows that fail with an error, not a trap, when the database was altered:
/// a column dropped, a NULL or a value of another type where the schema promises one.
extension Row {
    /// The value of `column` of a row read from `table`.
    /// - Throws: `RegistryError.storeCorrupt` naming the database, table and column.
    func stored<Value: DatabaseValueConvertible>(
        _ column: String, of table: String, in database: String, as type: Value.Type = Value.self
    ) throws -> Value {
        guard hasColumn(column) else {
            throw RegistryError.storeCorrupt(path: database, table: table, column: column, reason: "the column is missing")
        }
        do {
            return try decode(Value.self, forColumn: column)
        } catch {
            let found: DatabaseValue = self[column] ?? .null
            throw RegistryError.storeCorrupt(
                path: database, table: table, column: column,
                reason: "it holds \(Self.describe(found.storage)) where \(Value.self) is expected")
        }
    }

    /// The SQLite storage class of a value, without the value (a body may be long or sensitive).
    private static func describe(_ storage: DatabaseValue.Storage) -> String {
        switch storage {
        case .null: return "NULL"
        case .int64: return "an integer"
        case .double: return "a real number"
        case .string: return "text"
        case .blob: return "a blob"
        }
    }
}

/// A SQLite row of `table` read through the shared record rules (`StoredRecordRow`), each read failing as
/// `Row.stored` does: `RegistryError.storeCorrupt` naming the database, table and column.
struct SQLiteRecordRow: StoredRecordRow {
    let row: Row
    let table: String
    /// The database file, named in errors.
    let path: String

    func text(_ column: String) throws -> String { try row.stored(column, of: table, in: path) }
    func optionalText(_ column: String) throws -> String? { try row.stored(column, of: table, in: path) }
    func integer(_ column: String) throws -> Int { try row.stored(column, of: table, in: path) }
    func optionalInteger(_ column: String) throws -> Int? { try row.stored(column, of: table, in: path) }
}
