import BugZotDomain
import Foundation

/// One choice of a `<select>`.
struct Option {
    let value: String
    let label: String
    let selected: Bool

    static func list(_ values: [String], selected: String?) -> [Option] {
        values.map { Option(value: $0, label: $0, selected: $0 == selected) }
    }
}

/// A bug as one row of a list.
struct BugRow {
    let id: Int
    let summary: String
    let status: String
    let resolution: String
    let product: String
    let component: String
    let assignee: String
    let severity: String
    let priority: String
    let changed: String
    /// Only members of its groups see it: marked in the list.
    let isConfidential: Bool
    let groupNames: String

    init(_ bug: Bug, names: PersonNames) {
        id = bug.id
        summary = bug.summary
        status = bug.status
        resolution = bug.resolution
        product = bug.product
        component = bug.component
        assignee = names.name(bug.assignedTo)
        isConfidential = !bug.groups.isEmpty
        groupNames = bug.groups.joined(separator: ", ")
        severity = bug.severity
        priority = bug.priority
        changed = DateText.minute(bug.lastChangeTime)
    }
}

/// Times as pages show them: UTC, to the minute or the day.
enum DateText {
    static func minute(_ date: Date) -> String { UTCTime(date).dateAndMinute + " UTC" }
    static func day(_ date: Date) -> String { UTCTime(date).date }
    /// For `<time datetime=…>`.
    static func iso(_ date: Date) -> String { UTCTime(date).iso8601 }
}

/// A person as pages show them: their name, or their address when they gave none.
func displayName(_ user: UserSummary) -> String {
    user.realName.isEmpty ? user.login : user.realName
}

/// How a page names people for its reader: signed-in readers may see addresses; visitors see
/// only names (the part of the address before `@` for someone who gave no name), so that no
/// address is harvested from public pages.
struct PersonNames {
    let showsAddresses: Bool
    /// The people the page knows by address, to name them in history values.
    private var known: [String: UserSummary] = [:]

    init(for principal: Principal) {
        showsAddresses = !principal.isAnonymous
    }

    /// Learns the people of a page, so that `names(inList:)` can name them.
    mutating func learn(_ people: [UserSummary]) {
        for person in people { known[person.login.lowercased()] = person }
    }

    func name(_ user: UserSummary) -> String {
        showsAddresses ? displayName(user) : user.realName.isEmpty ? Self.localPart(user.login) : user.realName
    }

    /// An address as this reader may see it: itself, or the person's name.
    func name(login: String) -> String {
        if showsAddresses || login.isEmpty { return login }
        return known[login.lowercased()].map(name) ?? Self.localPart(login)
    }

    /// A comma-separated list of addresses (a CC change in history), each named.
    func names(inList text: String) -> String {
        guard !showsAddresses else { return text }
        return text.split(separator: ",").map { name(login: $0.trimmingCharacters(in: .whitespaces)) }.joined(separator: ", ")
    }

    private static func localPart(_ login: String) -> String {
        String(login.prefix { $0 != "@" })
    }
}

/// A byte count people read at a glance.
func sizeText(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) bytes" }
    if bytes < 1024 * 1024 { return String(format: "%.1f KB", Double(bytes) / 1024) }
    return String(format: "%.1f MB", Double(bytes) / 1024 / 1024)
}
