import QuenchRegistry

extension VersionPage {
    /// The forms the signed-in user's roles allow on the version in its state: approve and reject
    /// (approver, pending), promote (approver or admin, approved), roll back an alias (approver or
    /// admin, once an alias moved), archive (admin, approved or rejected). The server checks every post anyway.
    static func actions(_ data: VersionPageData, context: PageContext) -> String {
        guard let user = context.user else { return "" }
        let version = data.version
        let base = PageHTML.versionPath(version.name, version.version)
        var forms: [String] = []
        if user.holdsAny(of: [.approver]), version.status == .pendingApproval {
            forms.append(noteForm(id: "approve", action: base + "/approve", button: "Approve", context: context))
            forms.append(noteForm(id: "reject", action: base + "/reject", button: "Reject", context: context))
        }
        if user.holdsAny(of: [.approver, .admin]) {
            if version.status == .approved {
                forms.append(aliasForm(id: "promote", action: base + "/promote", button: "Promote", context: context,
                                       legend: "Promote \(version.subject) to an alias"))
            }
            if !data.aliasMoves.isEmpty {
                forms.append(aliasForm(id: "rollback", action: PageHTML.modelPath(version.name) + "/rollback", button: "Roll back",
                                       context: context, legend: "Roll an alias of \(version.name) back to its previous version"))
            }
        }
        if user.holdsAny(of: [.admin]), version.status == .approved || version.status == .rejected {
            forms.append(noteForm(id: "archive", action: base + "/archive", button: "Archive", context: context))
        }
        let content = forms.isEmpty
            ? "<p class=\"muted\">Your roles allow no action on this version while it is \(version.status.rawValue).</p>"
            : "<div class=\"action-forms\">\(forms.joined())</div>"
        return PageHTML.section(id: "actions", title: "Actions", content)
    }

    /// A form with a note (approve, reject, archive).
    private static func noteForm(id: String, action: String, button: String, context: PageContext) -> String {
        """
        <form id="\(id)" method="post" action="\(PageHTML.text(action))" class="stacked action">\(PageHTML.csrfField(context))
        <label for="\(id)-note">\(button) with a note</label>
        <textarea id="\(id)-note" name="note" rows="3" maxlength="4000"></textarea>
        <button type="submit" id="\(id)-button">\(button)</button>
        </form>
        """
    }

    /// A form choosing an alias (promote, roll back).
    private static func aliasForm(id: String, action: String, button: String, context: PageContext, legend: String) -> String {
        let options = ModelAlias.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" }.joined()
        return """
            <form id="\(id)" method="post" action="\(PageHTML.text(action))" class="stacked action">\(PageHTML.csrfField(context))
            <label for="\(id)-alias">\(PageHTML.text(legend))</label>
            <select id="\(id)-alias" name="alias">\(options)</select>
            <button type="submit" id="\(id)-button">\(button)</button>
            </form>
            """
    }
}
