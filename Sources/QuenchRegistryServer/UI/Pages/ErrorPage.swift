/// A page that says what went wrong (an unknown model, a bad form, an expired form) and where to go next.
enum ErrorPage {
    /// The whole document with `title` as its heading and `message` as text.
    static func render(title: String, message: String, context: PageContext) -> String {
        let back = context.user == nil ? PageHTML.link("/ui/sign-in", "Sign in") : PageHTML.link("/ui/models", "Back to the models")
        let main = "<h1>\(PageHTML.text(title))</h1><p id=\"error-message\">\(PageHTML.text(message))</p><p>\(back)</p>"
        return PageLayout.document(title: title, context: context, main: main)
    }
}
