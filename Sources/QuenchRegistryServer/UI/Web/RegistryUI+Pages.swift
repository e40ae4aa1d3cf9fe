import Foundation
import Hummingbird
import QuenchRegistry

/// The pages: the models, a model's versions, a version, its ML-BOM, the audit log.
extension RegistryUI {
    func addPageRoutes(to routes: inout RouteList) {
        routes.get("/ui/models") { request, context in
            await page(request, context: context) { user in
                let query = try FormFields(query: request, allowed: ["q"])["q"] ?? ""
                let versions = try await worker.run { try $0.list() }
                return UIResponse.page(ModelsPage.render(versions: versions, query: query, context: pageContext(user)))
            }
        }
        routes.get("/ui/models/:name") { request, context in
            await page(request, context: context) { user in
                try await modelPage(try RegistryAPI.name(context), context: pageContext(user))
            }
        }
        routes.get("/ui/models/:name/versions/:version") { request, context in
            await page(request, context: context) { user in
                try await versionPage(try RegistryAPI.reference(context), context: pageContext(user))
            }
        }
        routes.get("/ui/models/:name/versions/:version/bom") { request, context in
            await page(request, context: context) { _ in
                let reference = try RegistryAPI.reference(context)
                var response = try await api.bom(reference)
                response.headers[.contentDisposition] = "attachment; filename=\"\(reference.name)-\(reference.version).bom.json\""
                return response
            }
        }
        routes.get("/ui/audit") { request, context in
            await page(request, context: context) { user in
                let (entries, checkpoint, verification) = try await worker.run { registry in
                    (try registry.auditLog(), try registry.latestCheckpoint(), try registry.verifyAudit())
                }
                return UIResponse.page(AuditPage.render(
                    entries: entries, checkpoint: checkpoint, verification: verification, context: pageContext(user)))
            }
        }
    }

    /// The page of model `name`: its versions and alias history; 404 when no version has that name.
    func modelPage(_ name: String, context: PageContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (versions, moves) = try await worker.run { registry in
            (try registry.list(name: name), try registry.aliasHistory(name: name))
        }
        guard !versions.isEmpty else { throw APIError.notFound("There is no model named '\(name)' in the registry.") }
        return UIResponse.page(ModelPage.render(name: name, versions: versions, aliasMoves: moves, context: context), status: status)
    }

    /// The page of version `reference`, its artifacts and signature verified anew; 404 when it does not exist.
    func versionPage(_ reference: VersionReference, context: PageContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let data = try await worker.run { registry -> VersionPageData in
            let version = try registry.show(reference)
            let signature: SignatureCheck
            do {
                _ = try registry.verify(reference)
                signature = .verified
            } catch let error as RegistryError {
                signature = .failed(error.description)
            }
            return VersionPageData(
                version: version, signature: signature, audit: try registry.auditLog().filter { $0.subject == version.subject },
                aliasMoves: try registry.aliasHistory(name: reference.name),
                versionNumbers: try registry.list(name: reference.name).map(\.version))
        }
        return UIResponse.page(VersionPage.render(data, context: context), status: status)
    }

    /// The path of the page of `reference`.
    static func path(of reference: VersionReference) -> String {
        "/ui/models/\(reference.name)/versions/\(reference.version)"
    }
}
