import Foundation

/// What a bug search asks for: AND across fields, OR within each list. Empty lists match all.
public struct BugSearch: Sendable, Equatable {
    public var ids: [Int] = []
    public var aliases: [String] = []
    public var products: [String] = []
    public var components: [String] = []
    public var versions: [String] = []
    public var targetMilestones: [String] = []
    public var statuses: [String] = []
    /// "" matches open bugs.
    public var resolutions: [String] = []
    public var severities: [String] = []
    public var priorities: [String] = []
    public var opSystems: [String] = []
    public var platforms: [String] = []
    /// Case-insensitive substrings.
    public var summaries: [String] = []
    public var whiteboards: [String] = []
    public var urls: [String] = []
    /// Case-insensitive substrings of login names.
    public var reporters: [String] = []
    public var assignees: [String] = []
    public var qaContacts: [String] = []
    public var cc: [String] = []
    /// Every keyword must be on the bug.
    public var keywords: [String] = []
    /// Every word must appear in the bug's visible comments.
    public var commentWords: [String] = []
    /// Words matched against the summary, aliases, or id.
    public var quicksearch: [String] = []
    public var createdSince: Date?
    public var changedSince: Date?
    public var order: [BugOrder] = []
    public var limit: Int?
    public var offset: Int = 0

    public init() {}
}

/// One sort key of a search.
public struct BugOrder: Sendable, Equatable {
    public enum Column: String, Sendable, CaseIterable {
        case id, summary, status, resolution, severity, priority, product, component, version
        case assignee, reporter, creationTime, lastChangeTime, targetMilestone
    }

    public var column: Column
    public var descending: Bool

    public init(column: Column, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}
