import Foundation
import QuenchFiles
import QuenchRegistry

/// Where a registry server keeps its records: the embedded SQLite file in its home, or PostgreSQL.
public enum RegistryServerStore {
    /// Opens the store `databaseURL` names (nil: SQLite at `home`/registry.sqlite), with the database
    /// password read from `passwordFile`, and says which kind it is.
    public static func open(home: URL, databaseURL: String?, passwordFile: URL?) throws -> (store: any RegistryStore, kind: String) {
        guard let databaseURL else {
            if passwordFile != nil { throw RegistryServerError.passwordFileWithoutDatabase }
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            return (try SQLiteRegistryStore(url: QuenchHome(root: home).registryDatabase), "sqlite")
        }
        let scheme = databaseURL.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        throw RegistryServerError.databaseURLUnsupported(scheme: scheme)
    }
}
