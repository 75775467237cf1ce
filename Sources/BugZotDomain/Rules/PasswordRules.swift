/// What makes a password acceptable for a new or changed account.
public enum PasswordRules {
    /// bcrypt reads only the first 72 bytes; a longer password would silently be cut.
    public static let maximumBytes = 72

    /// Some of the passwords tried first by anyone guessing.
    static let common: Set<String> = [
        "password", "password1", "password123", "passw0rd", "12345678", "123456789", "1234567890",
        "qwertyuiop", "qwerty123", "iloveyou", "letmein1", "welcome1", "admin123", "abc12345",
        "football", "baseball", "sunshine", "trustno1", "changeme", "11111111", "00000000",
    ]

    /// Refuses a password that is short, overlong, common, repetitive, or built from the login.
    public static func check(_ password: String, login: String, policy: Policy) throws(DomainError) {
        guard password.count >= policy.minimumPasswordLength else {
            throw .passwordTooShort(minimum: policy.minimumPasswordLength)
        }
        guard password.utf8.count <= maximumBytes else {
            throw .weakPassword("it is longer than \(maximumBytes) bytes, and only the first \(maximumBytes) would count.")
        }
        let lowered = password.lowercased()
        if common.contains(lowered) { throw .weakPassword("it is one of the most common passwords.") }
        if Set(password).count < 4 { throw .weakPassword("it uses fewer than four different characters.") }
        let name = login.lowercased().split(separator: "@").first.map(String.init) ?? ""
        if name.count >= 3, lowered.contains(name) {
            throw .weakPassword("it contains your email address's name.")
        }
    }
}
