import BugZotDomain
import Foundation
import SQLKit

/// What a change to a bug checks in the database before it writes, all read at once.
public struct ChangeChecks: Sendable {
    /// What to look up.
    public struct Request: Sendable {
        /// Logins to resolve to people.
        public var logins: [String] = []
        /// Bugs the change links to, whose visibility to the viewer decides whether they exist.
        public var linkedBugs: [Int] = []
        /// Bugs the change may make the bug depend on, and bugs it may make it block: where they lead.
        public var dependsOn: [Int] = []
        public var blocks: [Int] = []
        /// The bug the change may mark it a duplicate of: the chain of duplicates from there.
        public var dupeOf: Int?
        /// Aliases the change may give it: the bugs that have them.
        public var aliases: [String] = []

        public init() {}

        var isEmpty: Bool {
            logins.isEmpty && linkedBugs.isEmpty && dependsOn.isEmpty && blocks.isEmpty && dupeOf == nil && aliases.isEmpty
        }
    }

    /// The people found, by login.
    public var users: [String: UserSummary] = [:]
    /// The linked bugs the viewer may see.
    public var visibleBugs: Set<Int> = []
    /// Where the links lead: every bug reached from `dependsOn` by following depends-on links,
    /// and from `blocks` by following blocks links.
    public var reach = DependencyReach()
    /// The chain of duplicates from `dupeOf` (its dupe_of, that bug's dupe_of, and so on), in no
    /// particular order.
    public var duplicateChain: Set<Int> = []
    /// The bug that has each alias asked about.
    public var aliasOwners: [String: Int] = [:]

    /// Takes in one row of `SQLStore.checkQuery`.
    mutating func add(kind: String, number: Int, item: String?, name: String?) {
        switch kind {
        case "user":
            let user = UserSummary(id: number, login: item ?? "", realName: name ?? "")
            users[user.login] = user
        case "visible": visibleBugs.insert(number)
        case "down": reach.downstream.insert(number)
        case "up": reach.upstream.insert(number)
        case "chain": duplicateChain.insert(number)
        default: aliasOwners[item ?? ""] = number
        }
    }
}

/// Where dependency links lead from some bugs.
public struct DependencyReach: Sendable {
    /// Every bug reached by following depends-on links.
    public var downstream: Set<Int> = []
    /// Every bug reached by following blocks links.
    public var upstream: Set<Int> = []
}

extension SQLStore {
    /// Everything `request` asks about, in one statement (none when it asks nothing), with linked
    /// bugs' visibility as `viewer` has it (the SQL form of `Visibility.canSee`).
    public func changeChecks(_ request: ChangeChecks.Request, viewer: Principal, policy: Policy) async throws -> ChangeChecks {
        var checks = ChangeChecks()
        guard let query = checkQuery(request, viewer: viewer, policy: policy) else { return checks }
        for row in try await all(Self.with(query.tables) + query.select) {
            checks.add(kind: try row.string("kind"), number: try row.int("number"), item: try row.optionalString("item"), name: try row.optionalString("name"))
        }
        return checks
    }

    /// What `request` asks as SQL: the recursive tables it needs, and a SELECT of
    /// `(kind, number, item, name)` rows that `ChangeChecks.add` reads; nil when it asks nothing.
    func checkQuery(_ request: ChangeChecks.Request, viewer: Principal, policy: Policy) -> (tables: [SQLQueryString], select: SQLQueryString)? {
        guard !request.isEmpty else { return nil }
        var tables: [SQLQueryString] = []
        // Each part names its columns, since whichever comes first names the result's.
        var parts: [SQLQueryString] = []
        if !request.logins.isEmpty {
            parts.append(
                "SELECT 'user' AS kind, id AS number, login_name AS item, real_name AS name FROM users WHERE login_name IN \(inList(request.logins.map { $0.lowercased() }))"
            )
        }
        if !request.linkedBugs.isEmpty {
            let visible = visibilityCondition(of: "ob", viewer: viewer, policy: policy).map { " AND " + $0 } ?? ""
            parts.append(
                "SELECT 'visible' AS kind, ob.id AS number, NULL AS item, NULL AS name FROM bugs ob WHERE ob.id IN \(inList(request.linkedBugs))"
                    + visible)
        }
        if !request.dependsOn.isEmpty || !request.blocks.isEmpty {
            tables += Self.reachTables(dependsOn: request.dependsOn, blocks: request.blocks)
            parts += ["SELECT 'down' AS kind, id AS number, NULL AS item, NULL AS name FROM down", "SELECT 'up', id, NULL, NULL FROM up"]
        }
        if let dupeOf = request.dupeOf {
            tables.append(Self.chainTable(from: dupeOf))
            parts.append("SELECT 'chain' AS kind, id AS number, NULL AS item, NULL AS name FROM chain")
        }
        if !request.aliases.isEmpty {
            parts.append(
                "SELECT 'alias' AS kind, bug_id AS number, alias AS item, NULL AS name FROM bug_aliases WHERE alias IN \(inList(request.aliases))")
        }
        return (tables, parts.joined(separator: " UNION ALL "))
    }

    /// Where dependency links lead from `dependsOn` and from `blocks`, in one statement.
    public func dependencyReach(dependsOn: [Int], blocks: [Int]) async throws -> DependencyReach {
        guard !dependsOn.isEmpty || !blocks.isEmpty else { return DependencyReach() }
        var reach = DependencyReach()
        let query: SQLQueryString = Self.with(Self.reachTables(dependsOn: dependsOn, blocks: blocks))
            + "SELECT 'down' AS kind, id FROM down UNION ALL SELECT 'up', id FROM up"
        for row in try await all(query) {
            if try row.string("kind") == "down" { reach.downstream.insert(try row.int("id")) } else { reach.upstream.insert(try row.int("id")) }
        }
        return reach
    }

    /// The chain of duplicates starting at `bugID`: its dupe_of, that bug's dupe_of, and so on.
    public func duplicateChain(from bugID: Int) async throws -> [Int] {
        try await all(Self.with([Self.chainTable(from: bugID)]) + "SELECT id FROM chain ORDER BY depth").map { try $0.int("id") }
    }

    /// The WITH clause that defines `tables` (nothing for none).
    static func with(_ tables: [SQLQueryString]) -> SQLQueryString {
        tables.isEmpty ? "" : "WITH RECURSIVE " + tables.joined(separator: ", ") + " "
    }

    /// `down(id)`: bugs reached from `dependsOn` by depends-on links; `up(id)`: from `blocks` by blocks links.
    private static func reachTables(dependsOn: [Int], blocks: [Int]) -> [SQLQueryString] {
        [
            """
            down(id) AS (
                SELECT depends_on_id FROM bug_dependencies WHERE blocked_id IN \(inList(dependsOn))
                UNION SELECT d.depends_on_id FROM bug_dependencies d JOIN down ON d.blocked_id = down.id)
            """,
            """
            up(id) AS (
                SELECT blocked_id FROM bug_dependencies WHERE depends_on_id IN \(inList(blocks))
                UNION SELECT d.blocked_id FROM bug_dependencies d JOIN up ON d.depends_on_id = up.id)
            """,
        ]
    }

    /// `chain(id, depth)`: the duplicates chain from `bugID`, nearest first.
    private static func chainTable(from bugID: Int) -> SQLQueryString {
        """
        chain(id, depth) AS (
            SELECT dupe_of, 1 FROM bugs WHERE id = \(bind: bugID) AND dupe_of IS NOT NULL
            UNION SELECT b.dupe_of, chain.depth + 1 FROM bugs b JOIN chain ON b.id = chain.id
            WHERE b.dupe_of IS NOT NULL AND chain.depth < 1000)
        """
    }
}
