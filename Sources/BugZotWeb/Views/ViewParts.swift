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

    init(_ bug: Bug) {
        id = bug.id
        summary = bug.summary
        status = bug.status
        resolution = bug.resolution
        product = bug.product
        component = bug.component
        assignee = displayName(bug.assignedTo)
        severity = bug.severity
        priority = bug.priority
        changed = DateText.minute(bug.lastChangeTime)
    }
}

/// Times as pages show them: UTC, to the minute or the day.
enum DateText {
    private static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    static func minute(_ date: Date) -> String { formatter("yyyy-MM-dd HH:mm 'UTC'").string(from: date) }
    static func day(_ date: Date) -> String { formatter("yyyy-MM-dd").string(from: date) }
    /// For `<time datetime=…>`.
    static func iso(_ date: Date) -> String { formatter("yyyy-MM-dd'T'HH:mm:ss'Z'").string(from: date) }
}

/// A person as pages show them: their name, or their address when they gave none.
func displayName(_ user: UserSummary) -> String {
    user.realName.isEmpty ? user.login : user.realName
}

/// A byte count people read at a glance.
func sizeText(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) bytes" }
    if bytes < 1024 * 1024 { return String(format: "%.1f KB", Double(bytes) / 1024) }
    return String(format: "%.1f MB", Double(bytes) / 1024 / 1024)
}
