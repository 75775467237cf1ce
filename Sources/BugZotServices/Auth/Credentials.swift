/// What a request presents to prove who sends it.
public enum Credentials: Sendable, Equatable {
    case none
    case apiKey(String)
    /// A login token, `<user id>-<secret>`.
    case token(String)
    case password(login: String, password: String)
}
