/// The sign-in form: the user's API token goes in a password field, posted with the sign-in CSRF
/// token and the page to return to.
enum SignInPage {
    /// The whole document; `next` is the path to go to after signing in (checked again by the server).
    static func render(next: String?, context: PageContext) -> String {
        let main = """
            <h1>Sign in</h1>
            <p>Sign in with your registry API token (the one <code>quench registry users add</code> printed for you). \
            The token is exchanged for a session that ends when you sign out, close the browser, or after a while.</p>
            <form id="sign-in" method="post" action="/ui/sign-in" class="stacked">
            \(PageHTML.csrfField(context))<input type="hidden" name="next" value="\(PageHTML.text(next ?? ""))">
            <label for="token">API token</label>
            <input type="password" id="token" name="token" autocomplete="off">
            <button id="sign-in-button" type="submit">Sign in</button>
            </form>
            """
        return PageLayout.document(title: "Sign in", context: context, main: main)
    }
}
