import QuenchRegistry

extension RegistryIdentity {
    /// Whoever manages users on the server host: the OS user, trusted because it can read the server's home.
    public static func serverAdministrator() throws -> RegistryIdentity {
        RegistryIdentity(name: try RegistryActor.osUser(), roles: [.admin], method: .serverAdmin)
    }
}
