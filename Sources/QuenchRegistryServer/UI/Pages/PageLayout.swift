import QuenchRegistry

/// The one frame around every page: the document head (stylesheet and script from /ui/static, no
/// inline code, which the Content-Security-Policy forbids), the header with the product name, the
/// navigation, who is signed in with their roles and the sign-out form, then the flash and the page.
enum PageLayout {
    /// A whole HTML document titled `title` around `main` (already-built HTML).
    static func document(title: String, context: PageContext, main: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(PageHTML.text(title)) · Quench registry</title>
        <link rel="stylesheet" href="/ui/static/app.css">
        <script src="/ui/static/app.js" defer></script>
        </head>
        <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
        <a class="brand" href="/ui/models">Quench registry</a>
        \(navigation(context))
        </header>
        <main id="main" tabindex="-1">
        \(flash(context.flash))\(main)
        </main>
        </body>
        </html>

        """
    }

    /// The nav links and the signed-in user; nothing but the product name before sign-in.
    private static func navigation(_ context: PageContext) -> String {
        guard let user = context.user else { return "" }
        let roles = user.roles.isEmpty ? "no roles" : user.roles.map(\.rawValue).joined(separator: ", ")
        return """
            <nav class="site-nav" aria-label="Main"><a href="/ui/models">Models</a><a href="/ui/audit">Audit log</a></nav>
            <div class="who"><span id="user-name">\(PageHTML.text(user.name))</span> <span id="user-roles" class="muted">\(PageHTML.text(roles))</span>
            <form id="sign-out" method="post" action="/ui/sign-out">\(PageHTML.csrfField(context))<button type="submit">Sign out</button></form></div>
            """
    }

    /// `<div id="flash" class="flash done|refused" role="status">`, or nothing.
    private static func flash(_ flash: Flash?) -> String {
        guard let flash else { return "" }
        return "<div id=\"flash\" class=\"flash \(flash.kind.rawValue)\" role=\"status\">\(PageHTML.text(flash.message))</div>\n"
    }
}
