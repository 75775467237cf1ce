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
    /// Case-insensitive substrings of a user's login name or real name.
    public var reporters: [String] = []
    public var assignees: [String] = []
    public var qaContacts: [String] = []
    public var cc: [String] = []
    /// The users those four fields' values match, once the store has looked them up (nil until
    /// then), so that one matching user is an equality an index in the page's order serves.
    public var matchedUsers: MatchedUsers?
    /// Every keyword must be on the bug.
    public var keywords: [String] = []
    /// Bugzilla's advanced search (`fN/oN/vN`, `fieldX-Y-Z`, `longdesc`): every inner list must
    /// have a matching condition (AND of ORs).
    public var conditions: [[FieldCondition]] = []
    /// Bugzilla's boolean charts (`fN/oN/vN` with `OP`/`CP` groups, `j_top`): each must match.
    public var charts: [SearchTerm] = []
    public var createdSince: Date?
    public var changedSince: Date?
    public var order: [BugOrder] = []
    public var limit: Int?
    public var offset: Int = 0
    /// Keyset pagination: only rows after this one in the search's order (one sort column at most).
    public var after: BugCursor?
    /// Set when the search asks for every match (or for more than this many): a match larger than
    /// this is refused by `checkResultCount`, never cut short. `limit` is then ignored.
    public var maximumResults: Int?

    public init() {}

    /// Every condition of the search, `conditions` and `charts` alike.
    public var allConditions: [FieldCondition] { conditions.joined() + charts.flatMap(\.conditions) }

    /// The rows the store reads: `limit`, or one more than `maximumResults`, to tell when too many match.
    public var rowsToRead: Int? { maximumResults.map { $0 + 1 } ?? limit }

    /// Refuses a result that `maximumResults` bounds and `count` rows exceed.
    public func checkResultCount(_ count: Int) throws(DomainError) {
        guard let maximumResults, count > maximumResults else { return }
        throw .invalidParameter(
            parameter: "limit",
            reason: "more than \(maximumResults) bugs match, the most one search returns (max_search_results). "
                + "Narrow the search, or page through it with limit (at most \(maximumResults)) and offset.")
    }

    /// How many values each list criterion holds, to bound a search's cost.
    public var listSizes: [(field: String, count: Int)] {
        [
            ("id", ids.count), ("alias", aliases.count), ("product", products.count), ("component", components.count),
            ("version", versions.count), ("target_milestone", targetMilestones.count), ("status", statuses.count),
            ("resolution", resolutions.count), ("severity", severities.count), ("priority", priorities.count),
            ("op_sys", opSystems.count), ("platform", platforms.count), ("summary", summaries.count),
            ("whiteboard", whiteboards.count), ("url", urls.count), ("creator", reporters.count),
            ("assigned_to", assignees.count), ("qa_contact", qaContacts.count), ("cc", cc.count),
            ("keywords", keywords.count), ("order", order.count),
            ("conditions", conditions.reduce(0) { $0 + $1.count } + charts.reduce(0) { $0 + $1.conditions.count }),
        ]
    }
}

/// One sort key of a search.
public struct BugOrder: Sendable, Equatable {
    public enum Column: String, Sendable, CaseIterable {
        case id, summary, status, resolution, severity, priority, product, component, version
        case assignee, reporter, creationTime, lastChangeTime, targetMilestone
        /// How well a bug matches the search's full-text terms (`content`, `longdesc`); a search
        /// without one is refused. Not a field of the bug, so not a keyset position either.
        case relevance
    }

    public var column: Column
    public var descending: Bool

    public init(column: Column, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}

/// A row's place in a sorted result: its value in the sort column, then its id (the tie-breaker).
public struct BugCursor: Sendable, Equatable {
    public var value: BugOrder.Value
    public var id: Int

    public init(value: BugOrder.Value, id: Int) {
        self.value = value
        self.id = id
    }

    /// The place of `bug` in a result sorted by `column`.
    public init(after bug: Bug, sortedBy column: BugOrder.Column) {
        self.init(value: column.value(of: bug), id: bug.id)
    }
}

extension BugOrder {
    /// A sort column's value, compared as the database compares it.
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Int)
    }
}

extension BugOrder.Column {
    /// Whether the column sorts as numbers.
    public var isNumeric: Bool { [.id, .creationTime, .lastChangeTime, .relevance].contains(self) }

    public func value(of bug: Bug) -> BugOrder.Value {
        switch self {
        case .id: .number(bug.id)
        case .summary: .text(bug.summary)
        case .status: .text(bug.status)
        case .resolution: .text(bug.resolution)
        case .severity: .text(bug.severity)
        case .priority: .text(bug.priority)
        case .product: .text(bug.product)
        case .component: .text(bug.component)
        case .version: .text(bug.version)
        case .assignee: .text(bug.assignedTo.login)
        case .reporter: .text(bug.reporter.login)
        case .creationTime: .number(Int(bug.creationTime.timeIntervalSince1970.rounded(.down)))
        case .lastChangeTime: .number(Int(bug.lastChangeTime.timeIntervalSince1970.rounded(.down)))
        case .targetMilestone: .text(bug.targetMilestone)
        case .relevance: .number(0)  // the store refuses to page by it
        }
    }
}

/// One advanced-search condition: a field (Bugzilla's internal or API name), an operator, a value.
public struct FieldCondition: Sendable, Equatable {
    public var field: String
    public var op: SearchOperator
    public var value: String

    public init(field: String, op: SearchOperator, value: String) {
        self.field = field
        self.op = op
        self.value = value
    }
}

/// Bugzilla's search operators that BugZot supports.
public enum SearchOperator: String, Sendable, CaseIterable {
    case equals, notequals, anyexact
    case substring, casesubstring, notsubstring
    case anywordssubstr, allwordssubstr, nowordssubstr
    case anywords, allwords, nowords
    case greaterthan, greaterthaneq, lessthan, lessthaneq
    case isempty, isnotempty
    /// A regular expression (`SearchPattern`), matching anywhere in the value; `notregexp` its negation.
    case regexp, notregexp
    /// The field's history: changed before or after a date, from or to a value, or by a person.
    case changedbefore, changedafter, changedfrom, changedto, changedby
    /// Full-text search (`TextQuery`): only on `content`, as in Bugzilla.
    case matches, notmatches

    /// The operator `name` names (nil is `substring`, Bugzilla's default), or a clear refusal.
    public init(named name: String?, parameter: String) throws(DomainError) {
        guard let name else {
            self = .substring
            return
        }
        guard let op = SearchOperator(rawValue: name) else {
            throw .invalidParameter(parameter: parameter, reason: "'\(name)' is not a search operator BugZot supports.")
        }
        self = op
    }

    /// Whether the operator searches the field's history rather than its value.
    public var isHistory: Bool { [.changedbefore, .changedafter, .changedfrom, .changedto, .changedby].contains(self) }

    /// The operator that matches exactly what this one does not, where there is one.
    public var negation: SearchOperator? {
        switch self {
        case .equals: .notequals
        case .notequals: .equals
        case .substring: .notsubstring
        case .notsubstring: .substring
        case .anywordssubstr: .nowordssubstr
        case .nowordssubstr: .anywordssubstr
        case .anywords: .nowords
        case .nowords: .anywords
        case .isempty: .isnotempty
        case .isnotempty: .isempty
        case .greaterthan: .lessthaneq
        case .lessthaneq: .greaterthan
        case .lessthan: .greaterthaneq
        case .greaterthaneq: .lessthan
        case .regexp: .notregexp
        case .notregexp: .regexp
        case .matches: .notmatches
        case .notmatches: .matches
        default: nil
        }
    }

    /// The operator without its negation, and whether it was negated.
    public var positive: (op: SearchOperator, negated: Bool) {
        switch self {
        case .notequals: (.equals, true)
        case .notsubstring: (.substring, true)
        case .nowordssubstr: (.anywordssubstr, true)
        case .nowords: (.anywords, true)
        case .isnotempty: (.isempty, true)
        case .notregexp: (.regexp, true)
        case .notmatches: (.matches, true)
        default: (self, false)
        }
    }
}

/// The ids of the users each role field of a search matches; nil for a field without values, or
/// matching too many users to list (it is then matched by its values).
public struct MatchedUsers: Sendable, Equatable {
    public var reporters: [Int]?
    public var assignees: [Int]?
    public var qaContacts: [Int]?
    public var cc: [Int]?

    public init(reporters: [Int]? = nil, assignees: [Int]? = nil, qaContacts: [Int]? = nil, cc: [Int]? = nil) {
        self.reporters = reporters
        self.assignees = assignees
        self.qaContacts = qaContacts
        self.cc = cc
    }
}
