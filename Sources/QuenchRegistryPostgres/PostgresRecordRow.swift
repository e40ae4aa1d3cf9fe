import PostgresNIO
import QuenchRegistry

/// A PostgreSQL row read by column name, failing with `RegistryError.storeCorrupt` (naming the store,
/// table and column) instead of trapping when a column is missing or holds another type.
struct PostgresRecordRow: StoredRecordRow {
    let row: PostgresRandomAccessRow
    let table: String
    /// The store, as errors name it.
    let store: String

    init(_ row: PostgresRow, table: String, store: String) {
        self.row = row.makeRandomAccess()
        self.table = table
        self.store = store
    }

    func text(_ column: String) throws -> String { try value(column) }
    func optionalText(_ column: String) throws -> String? { try value(column) }
    func integer(_ column: String) throws -> Int { try value(column) }
    func optionalInteger(_ column: String) throws -> Int? { try value(column) }

    /// The value of `column` decoded as `Value`.
    func value<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard row.contains(column) else {
            throw RegistryError.storeCorrupt(path: store, table: table, column: column, reason: "the column is missing")
        }
        let cell = row[column]
        do {
            return try cell.decode(Value.self)
        } catch {
            let found = cell.bytes == nil ? "NULL" : "a value of type \(cell.dataType)"
            throw RegistryError.storeCorrupt(
                path: store, table: table, column: column, reason: "it holds \(found) where \(Value.self) is expected")
        }
    }
}
