import Foundation

/// The JSON a webhook receives about one change set, cut to what the webhook's owner may see.
public struct WebhookPayload: Sendable, Equatable, Codable {
    public struct BugSummary: Sendable, Equatable, Codable {
        public var id: Int
        public var summary: String
        public var product: String
        public var component: String
        public var status: String
        public var resolution: String
        public var severity: String
        public var priority: String
        public var assignedTo: String
        public var url: String

        enum CodingKeys: String, CodingKey {
            case id, summary, product, component, status, resolution, severity, priority, url
            case assignedTo = "assigned_to"
        }
    }

    public struct CommentSummary: Sendable, Equatable, Codable {
        public var id: Int
        public var count: Int
        public var author: String
        public var text: String
        public var isPrivate: Bool

        enum CodingKeys: String, CodingKey {
            case id, count, author, text
            case isPrivate = "is_private"
        }
    }

    /// `bug.created`, `bug.changed` or `bug.commented`.
    public var event: String
    public var bug: BugSummary
    public var who: String
    /// Unix seconds.
    public var when: Int
    public var changes: [FieldChange]
    public var comments: [CommentSummary]

    /// The events a webhook can ask for.
    public static let events: [String] = ["bug.created", "bug.changed", "bug.commented"]

    /// The event name of a change set: new bugs are created; field changes make a change, even
    /// with a comment; a comment alone is a comment.
    public static func event(isNew: Bool, changes: [FieldChange]) -> String {
        isNew ? "bug.created" : changes.isEmpty ? "bug.commented" : "bug.changed"
    }

    public init(bug: Bug, actor: UserSummary, when: Date, isNew: Bool, changes: [FieldChange], comments: [Comment], siteURL: String) {
        self.event = Self.event(isNew: isNew, changes: changes)
        self.bug = BugSummary(
            id: bug.id, summary: bug.summary, product: bug.product, component: bug.component, status: bug.status,
            resolution: bug.resolution, severity: bug.severity, priority: bug.priority, assignedTo: bug.assignedTo.login,
            url: "\(siteURL)/bug/\(bug.id)")
        self.who = actor.login
        self.when = Int(when.timeIntervalSince1970)
        self.changes = changes
        self.comments = comments.map {
            CommentSummary(id: $0.id, count: $0.count, author: $0.author.login, text: $0.text, isPrivate: $0.isEffectivelyPrivate)
        }
    }
}
