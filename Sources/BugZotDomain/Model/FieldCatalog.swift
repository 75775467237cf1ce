/// The legal values of the installation-wide select fields, in display order.
public struct FieldCatalog: Sendable, Equatable {
    public var severities: [String]
    public var priorities: [String]
    public var opSystems: [String]
    public var platforms: [String]
    public var keywords: [String]

    public init(severities: [String], priorities: [String], opSystems: [String], platforms: [String], keywords: [String]) {
        self.severities = severities
        self.priorities = priorities
        self.opSystems = opSystems
        self.platforms = platforms
        self.keywords = keywords
    }

    /// The values a new installation starts with (Bugzilla 5's defaults).
    public static let standard = FieldCatalog(
        severities: ["blocker", "critical", "major", "normal", "minor", "trivial", "enhancement"],
        priorities: ["Highest", "High", "Normal", "Low", "Lowest", "---"],
        opSystems: ["All", "Windows", "Mac OS", "Linux", "Other"],
        platforms: ["All", "PC", "Macintosh", "Other"],
        keywords: []
    )

    public func values(of field: SelectField) -> [String] {
        switch field {
        case .severity: severities
        case .priority: priorities
        case .opSys: opSystems
        case .platform: platforms
        }
    }

    /// `value`, checked against the legal values of `field`.
    public func validated(_ value: String, for field: SelectField) throws(DomainError) -> String {
        guard values(of: field).contains(value) else { throw .invalidFieldValue(field: field.rawValue, value: value) }
        return value
    }
}

/// The installation-wide single-choice fields, by API name.
public enum SelectField: String, Sendable, CaseIterable {
    case severity
    case priority
    case opSys = "op_sys"
    case platform

    /// What a new bug gets when the reporter gives nothing.
    public var fallback: String {
        switch self {
        case .severity: "normal"
        case .priority: "---"
        case .opSys: "All"
        case .platform: "All"
        }
    }

    /// Bugzilla's internal column name, used by /rest/field/bug.
    public var internalName: String {
        switch self {
        case .severity: "bug_severity"
        case .priority: "priority"
        case .opSys: "op_sys"
        case .platform: "rep_platform"
        }
    }
}
