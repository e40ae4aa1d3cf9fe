import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchRegistryPostgres

/// Where a registry server keeps its records: the embedded SQLite file in its home, or PostgreSQL.
public enum RegistryServerStore {
    /// Opens the store `databaseURL` names (nil: SQLite at `home`/registry.sqlite; else a postgres:// URL
    /// with the password from `passwordFile` or `QUENCH_REGISTRY_DATABASE_PASSWORD`) and says which kind it is.
    public static func open(
        home: URL, databaseURL: String?, passwordFile: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (store: any RegistryStore, kind: String) {
        guard let databaseURL else {
            if passwordFile != nil { throw RegistryServerError.passwordFileWithoutDatabase }
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            return (try SQLiteRegistryStore(url: QuenchHome(root: home).registryDatabase), "sqlite")
        }
        return (try PostgresRegistryStore(url: databaseURL, passwordFile: passwordFile, environment: environment), "postgres")
    }
}
