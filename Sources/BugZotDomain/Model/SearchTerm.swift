/// A search's criteria as a tree: conditions joined by AND or OR, in groups that may be negated
/// and nested — what Bugzilla's boolean charts (`fN/oN/vN`, `OP`/`CP`, `jN`, `nN`, `j_top`) say.
public indirect enum SearchTerm: Sendable, Equatable {
    case condition(FieldCondition)
    /// Matches when every term does; an empty group matches every bug.
    case all([SearchTerm])
    /// Matches when any term does; an empty group matches every bug.
    case any([SearchTerm])
    case not(SearchTerm)

    /// The conditions of the tree, leaves in order.
    public var conditions: [FieldCondition] {
        switch self {
        case .condition(let condition): [condition]
        case .all(let terms), .any(let terms): terms.flatMap(\.conditions)
        case .not(let term): term.conditions
        }
    }
}

/// Bugzilla's custom search rows (`fN`, `oN`, `vN`, `nN`, `jN`) read into a `SearchTerm`, in the
/// order of N. `fN=OP` opens a group whose members join by `jN` (`AND`, the default, or `OR`) and
/// which `nN=1` negates; `fN=CP` closes it; every other row is a condition (`nN=1` negates it).
/// Top-level rows join by `j_top`. A group left open, a `CP` with no group, or an unknown join is
/// refused; so is any value the field can't take (`SearchCondition`'s checks).
public enum BooleanChart {
    /// One numbered row of the chart.
    public struct Row: Sendable, Equatable {
        public var index: Int
        public var field: String
        /// The operator's name; nil is `substring`, as in Bugzilla.
        public var op: String?
        public var value: String
        public var negated: Bool
        /// `jN`: how the members of a group opened by this row join.
        public var join: String?

        public init(index: Int, field: String, op: String? = nil, value: String = "", negated: Bool = false, join: String? = nil) {
            self.index = index
            self.field = field
            self.op = op
            self.value = value
            self.negated = negated
            self.join = join
        }
    }

    /// How a group's members join.
    enum Join {
        case and, or

        init(_ text: String?, parameter: String) throws(DomainError) {
            switch text?.uppercased() {
            case nil, "", "AND": self = .and
            case "OR": self = .or
            case "AND_G":
                throw .invalidParameter(parameter: parameter, reason: "AND_G (all in the same field value) is not supported; use AND.")
            case let other?:
                throw .invalidParameter(parameter: parameter, reason: "'\(other)' is not a join: use AND or OR.")
            }
        }

        func group(_ terms: [SearchTerm]) -> SearchTerm { self == .and ? .all(terms) : .any(terms) }
    }

    /// The tree the rows make, or nil when they hold no condition. `noop` rows are skipped.
    public static func parse(_ rows: [Row], top: String?) throws(DomainError) -> SearchTerm? {
        struct Group {
            var join: Join
            var negated: Bool
            var opener: Int?
            var terms: [SearchTerm] = []
        }
        var stack = [Group(join: try Join(top, parameter: "j_top"), negated: false, opener: nil)]
        for row in rows.sorted(by: { $0.index < $1.index }) {
            switch row.field {
            case "noop", "":
                continue
            case "OP":
                stack.append(Group(join: try Join(row.join, parameter: "j\(row.index)"), negated: row.negated, opener: row.index))
            case "CP":
                guard stack.count > 1, let group = stack.popLast() else {
                    throw .invalidParameter(parameter: "f\(row.index)", reason: "CP closes a group that no OP opened.")
                }
                let term = group.join.group(group.terms)
                stack[stack.count - 1].terms.append(group.negated ? .not(term) : term)
            default:
                var condition = FieldCondition(field: row.field, op: try SearchOperator(named: row.op, parameter: "o\(row.index)"), value: row.value)
                try condition.check(parameter: "v\(row.index)")
                if row.negated {
                    // A negation the operator spells itself reads better; either means the same.
                    if let negation = condition.op.negation {
                        condition.op = negation
                    } else {
                        stack[stack.count - 1].terms.append(.not(.condition(condition)))
                        continue
                    }
                }
                stack[stack.count - 1].terms.append(.condition(condition))
            }
        }
        if stack.count > 1, let opener = stack.last?.opener {
            throw .invalidParameter(parameter: "f\(opener)", reason: "the group OP opens is never closed by a CP.")
        }
        let terms = stack[0].terms
        guard !terms.isEmpty else { return nil }
        return stack[0].join.group(terms)
    }
}
