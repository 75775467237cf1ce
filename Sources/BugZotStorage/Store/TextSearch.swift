import BugZotDomain
import SQLKit

/// Where full-text search looks: each source is indexed row by row, so that a row's visibility
/// (a private comment, a private attachment) is decided when a search runs, for its viewer.
enum TextSource: CaseIterable {
    /// Bug summaries.
    case summaries
    /// Comment bodies; the comment row is `tc` in a visibility condition.
    case comments
    /// Attachment descriptions and file names; the attachment row is `ta`.
    case attachments
}

/// The dialect's full-text index: how it is built and kept in step with every write (inside the
/// writing transaction, by triggers, so no statement is added to a request), and how it is queried.
/// `DatabaseKind.textSearch` chooses it; nothing else in the store knows which one it has.
protocol TextSearch: Sendable {
    /// Creates the index and what keeps it in step; re-runnable, as a backfilled migration's must be.
    var indexStatements: [String] { get }

    /// (Re)creates the triggers that follow changes of the indexed text, firing only when the
    /// text changes: a bug's update sets every column, and a status change must not rewrite the
    /// index entry of its summary. Re-runnable; part of `indexStatements`.
    var changeTriggers: [String] { get }

    /// Brings rows written before the index into it (`indexStatements` keeps later ones in step).
    var backfills: [Backfill] { get }

    /// Creates what `rows`, `probe` and `hasMatches` read besides the index to find a prefix's
    /// words (re-runnable); none on PostgreSQL, whose GIN index steps through a prefix's rows.
    var vocabularyStatements: [String] { get }

    /// Merges each index into as few parts as it can, a bounded amount of work per batch of its
    /// source's rows (`Backfill`), so that a lookup of a word in one row seeks in one list rather
    /// than in each part's; none on PostgreSQL.
    var merges: [Backfill] { get }

    /// Merges each index into one part at once (after a bulk load); none on PostgreSQL.
    var mergeStatements: [String] { get }

    /// One housekeeping pass, in one transaction: merges the small parts that single-row writes
    /// leave in each index, a bounded amount of work per index, never rewriting a large part that
    /// has no peer; none on PostgreSQL (whose GIN index merges its pending list itself).
    var upkeepStatements: [String] { get }

    /// `SELECT <bug id> AS bug_id[, <score> AS score] FROM …` over the rows of `source` that match
    /// `query` and `visible` (a condition on `tc` or `ta`, or on no row; nil: every row). A higher
    /// score is a better match.
    func rows(of source: TextSource, matching query: TextQuery, scored: Bool, visible: SQLQueryString?) -> SQLQueryString

    /// `EXISTS (…)`: whether the bug `b` has a row of `source` that matches `query` and `visible`,
    /// looked up by the bug's key and then in the index row by row, never by reading every match.
    func probe(of source: TextSource, matching query: TextQuery, visible: SQLQueryString?) -> SQLQueryString

    /// A condition on no row: whether at least `rows` of the `TextSample.rows` rows of `source`
    /// that `TextSample` spreads over its history match `query` — a sample of how common the
    /// words are that costs little however common they are (a prefix whose matches can't be
    /// sampled without reading them all is sampled as the whole word).
    func hasMatches(in source: TextSource, matching query: TextQuery, rows: Int) -> SQLQueryString
}

/// The rows `TextSearch.hasMatches` samples: runs of consecutive ids ending at each quarter of a
/// source's ids and at its newest, so that a burst of recent rows (a script filing hundreds of
/// bugs) can't make a common word look rare, nor an old one's absence lately.
enum TextSample {
    static let rows = 2_000
    static let windows = 4

    /// The id ranges `lower < id <= upper` of the sample, over the rows of `table`.
    static func ranges(of table: String) -> [(lower: SQLQueryString, upper: SQLQueryString)] {
        (1...windows).map { range(number: "\(unsafeRaw: String($0))", top: "(SELECT MAX(id) FROM \(unsafeRaw: table))") }
    }

    /// The id range `lower < id <= upper` of window `number` (1 to `windows`, an SQL expression)
    /// below `top`, the source's highest id (an SQL expression).
    static func range(number: SQLQueryString, top: SQLQueryString) -> (lower: SQLQueryString, upper: SQLQueryString) {
        let upper: SQLQueryString = top + " * " + number + " / \(unsafeRaw: String(windows))"
        return ("(" + upper + ") - \(unsafeRaw: String(rows / windows))", upper)
    }
}

extension DatabaseKind {
    /// The kind of database `sql` talks to.
    init(of sql: any SQLDatabase) {
        self = sql.dialect.name == "sqlite" ? .sqlite : .postgres
    }

    /// This dialect's full-text index.
    var textSearch: any TextSearch {
        switch self {
        case .sqlite: FTS5TextSearch()
        case .postgres: PostgresTextSearch()
        }
    }
}

/// SQLite: an FTS5 table per source, contentless (the text stays only in its own table) with
/// `contentless_delete` so that triggers can drop and replace rows by id alone. Rows are keyed by the
/// source's id. Words are split as `TextQuery.words` splits them: `unicode61`, diacritics kept.
struct FTS5TextSearch: TextSearch {
    private struct Index: Sendable {
        let table: String
        let source: String
        /// The indexed text of a source row, as SQL over the row named `row`.
        let text: @Sendable (String) -> String
        let changedColumns: String
    }

    private static let indexes: [TextSource: Index] = [
        .summaries: Index(table: "bug_summary_fts", source: "bugs", text: { "\($0).summary" }, changedColumns: "summary"),
        .comments: Index(table: "comment_fts", source: "comments", text: { "\($0).body" }, changedColumns: "body"),
        .attachments: Index(
            table: "attachment_fts", source: "attachments", text: { "\($0).summary || ' ' || \($0).file_name" },
            changedColumns: "summary, file_name"),
    ]

    var indexStatements: [String] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.flatMap { index in
            [
                """
                CREATE VIRTUAL TABLE IF NOT EXISTS \(index.table) USING fts5(
                    words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')
                """,
                """
                CREATE TRIGGER IF NOT EXISTS \(index.table)_insert AFTER INSERT ON \(index.source) BEGIN
                    INSERT INTO \(index.table) (rowid, words) VALUES (new.id, \(index.text("new")));
                END
                """,
                """
                CREATE TRIGGER IF NOT EXISTS \(index.table)_delete AFTER DELETE ON \(index.source) BEGIN
                    DELETE FROM \(index.table) WHERE rowid = old.id;
                END
                """,
            ]
        } + changeTriggers
    }

    var changeTriggers: [String] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.flatMap { index in
            let changed = index.changedColumns.split(separator: ", ").map { "old.\($0) IS NOT new.\($0)" }.joined(separator: " OR ")
            return [
                "DROP TRIGGER IF EXISTS \(index.table)_update",
                """
                CREATE TRIGGER \(index.table)_update AFTER UPDATE OF \(index.changedColumns) ON \(index.source) WHEN \(changed) BEGIN
                    INSERT OR REPLACE INTO \(index.table) (rowid, words) VALUES (new.id, \(index.text("new")));
                END
                """,
            ]
        }
    }

    var backfills: [Backfill] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.map { index in
            Backfill(table: index.source) { lower, upper in
                """
                INSERT OR REPLACE INTO \(unsafeRaw: index.table) (rowid, words)
                SELECT s.id, \(unsafeRaw: index.text("s")) FROM \(unsafeRaw: index.source) s
                WHERE s.id > \(bind: lower) AND s.id <= \(bind: upper)
                """
            }
        }
    }

    /// An `fts5vocab` table per index, `<index>_terms`, of type `instance`: read from a word on,
    /// it yields that word's first row without reading the rest of its list (the `row` type counts
    /// every row of each word it passes).
    var vocabularyStatements: [String] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.map { index in
            "CREATE VIRTUAL TABLE IF NOT EXISTS \(index.table)_terms USING fts5vocab(\(index.table), instance)"
        }
    }

    /// FTS5's incremental optimize (`'merge'` with a negative count of pages): every part is put
    /// on one level and merged, `mergedPages` pages a batch; once the index is one part, a batch
    /// does nothing.
    var merges: [Backfill] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.map { index in
            Backfill(table: index.source) { _, _ in
                "INSERT INTO \(unsafeRaw: index.table) (\(unsafeRaw: index.table), rank) VALUES ('merge', -\(unsafeRaw: String(Self.mergedPages)))"
            }
        }
    }

    /// Pages merged per batch of 10,000 source rows: about six times what such a batch adds to the
    /// comments' index, so that the batches of a migration merge the whole of it.
    static let mergedPages = 1_000

    var mergeStatements: [String] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.map { "INSERT INTO \($0.table) (\($0.table)) VALUES ('optimize')" }
    }

    /// FTS5's `'merge'` with a positive count: parts of a level are merged, at most `upkeepPages`
    /// pages per index, once the level has two of them (`usermerge`, a setting kept in the index).
    var upkeepStatements: [String] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.flatMap { index in
            [
                "INSERT INTO \(index.table) (\(index.table), rank) VALUES ('usermerge', 2)",
                "INSERT INTO \(index.table) (\(index.table), rank) VALUES ('merge', \(Self.upkeepPages))",
            ]
        }
    }

    /// Pages merged per index per housekeeping pass: a pass holds the writer some 20 ms at most (a
    /// larger part being rewritten over several passes), and keeps pace with hundreds of
    /// single-row writes between passes (each adds a part of a page or so).
    static let upkeepPages = 500

    func rows(of source: TextSource, matching query: TextQuery, scored: Bool, visible: SQLQueryString?) -> SQLQueryString {
        let table = Self.indexes[source]?.table ?? ""
        // `rank` (bm25, lower is better) is a column, so it is read in any query shape; bm25() is not.
        // Ranked, a prefix stays one (`match`): its words' phrases would score otherwise.
        let score: SQLQueryString = scored ? ", -\(unsafeRaw: table).rank AS score" : ""
        let match: SQLQueryString = "\(unsafeRaw: table) MATCH " + match(query, in: source, expanded: !scored)
        let filter = visible.map { " AND " + $0 } ?? ""
        switch source {
        case .summaries:
            return "SELECT \(unsafeRaw: table).rowid AS bug_id" + score + " FROM \(unsafeRaw: table) WHERE " + match + filter
        case .comments:
            return "SELECT tc.bug_id AS bug_id" + score
                + " FROM \(unsafeRaw: table) JOIN comments tc ON tc.id = \(unsafeRaw: table).rowid WHERE " + match + filter
        case .attachments:
            return "SELECT ta.bug_id AS bug_id" + score
                + " FROM \(unsafeRaw: table) JOIN attachments ta ON ta.id = \(unsafeRaw: table).rowid WHERE " + match + filter
        }
    }

    func probe(of source: TextSource, matching query: TextQuery, visible: SQLQueryString?) -> SQLQueryString {
        let table = Self.indexes[source]?.table ?? ""
        let match: SQLQueryString = "\(unsafeRaw: table) MATCH " + match(query, in: source)
        // `rowid = …` and MATCH together: FTS5 seeks the one row in each word's list of rows. A
        // prefix left a prefix (more words begin with it than `expandedWords`) has no list of its
        // own (FTS5 merges those of its words on every lookup), so its matching rows are read once,
        // without the rows they index, and each row is looked up in them.
        func matched(_ row: String) -> SQLQueryString {
            let seek: SQLQueryString = "EXISTS (SELECT 1 FROM \(unsafeRaw: table) WHERE " + match + " AND \(unsafeRaw: table).rowid = \(unsafeRaw: row))"
            guard query.terms.contains(where: \.isPrefix) else { return seek }
            let read: SQLQueryString = "\(unsafeRaw: row) IN (SELECT rowid FROM \(unsafeRaw: table) WHERE " + match + ")"
            return "(CASE WHEN instr(" + self.match(query, in: source) + ", '*') = 0 THEN " + seek + " ELSE " + read + " END)"
        }
        let filter = visible.map { " AND " + $0 } ?? ""
        switch source {
        case .summaries: return matched("b.id")
        case .comments: return "EXISTS (SELECT 1 FROM comments tc WHERE tc.bug_id = b.id" + filter + " AND " + matched("tc.id") + ")"
        case .attachments: return "EXISTS (SELECT 1 FROM attachments ta WHERE ta.bug_id = b.id" + filter + " AND " + matched("ta.id") + ")"
        }
    }

    func hasMatches(in source: TextSource, matching query: TextQuery, rows: Int) -> SQLQueryString {
        guard let index = Self.indexes[source] else { return "FALSE" }
        // FTS5 reads the words' lists within each range only. A prefix is sampled as its whole
        // word, not its words: finding the word after a common one reads that one's list.
        let windows: [SQLQueryString] = TextSample.ranges(of: index.source).map { range in
            "SELECT 1 FROM (SELECT 1 FROM \(unsafeRaw: index.table) WHERE \(unsafeRaw: index.table) MATCH " + match(query, in: source, expanded: false, sampled: true)
                + " AND \(unsafeRaw: index.table).rowid > " + range.lower + " AND \(unsafeRaw: index.table).rowid <= " + range.upper
                + " LIMIT \(unsafeRaw: String(rows)))"
        }
        return "((SELECT COUNT(*) FROM (" + windows.joined(separator: " UNION ALL ") + ")) >= \(unsafeRaw: String(rows)))"
    }

    /// The most words a prefix is written as (`match`); one that begins more stays a prefix.
    static let expandedWords = 16

    /// `query` in FTS5's syntax, as an SQL expression: every term a quoted string (so `NEAR`,
    /// `OR`, `AND` are words). Words hold only letters and digits (`TextQuery.words`), never a quote.
    ///
    /// A prefix `"w1 w2"*` is, when `expanded`, the phrases of the words of the index that begin
    /// with its last word, `("w1 w2" OR "w1 w2x")`, found in the index's vocabulary as the
    /// statement runs: FTS5 reads every match of a prefix at once (it merges the lists of its
    /// words), but steps through a phrase's matches one by one and seeks one row in them, so a page
    /// of matches, or one bug's, costs little however common the words. When more than
    /// `expandedWords` words (or none) begin with it, or its last word is not ASCII (which the
    /// tokenizer folds its own way), it stays `"w1 w2"*` — or, when `sampled`, the whole word
    /// `"w1 w2"` (a prefix's matches cost as much to sample as to read).
    func match(_ query: TextQuery, in source: TextSource, expanded: Bool = true, sampled: Bool = false) -> SQLQueryString {
        let terms = query.terms.map { term -> SQLQueryString in
            let phrase = "\"" + term.words.joined(separator: " ") + "\""
            guard term.isPrefix else { return "\(bind: phrase)" }
            let prefix = sampled ? phrase : phrase + "*"
            guard expanded, let last = term.words.last, last.allSatisfy(\.isASCII), let index = Self.indexes[source] else {
                return "\(bind: prefix)"
            }
            let lead = "\"" + term.words.dropLast().map { $0 + " " }.joined()
            return words(beginning: last.lowercased(), in: index, lead: lead, otherwise: prefix)
        }
        return "(" + terms.joined(separator: query.combination == .all ? " || ' AND ' || " : " || ' OR ' || ") + ")"
    }

    /// `(lead<word> OR …)` over the words of `index` that begin with `prefix` (a word at a time,
    /// each the first word after the last, from the vocabulary), or `otherwise` when there are
    /// none or more than `expandedWords`.
    private func words(beginning prefix: String, in index: Index, lead: String, otherwise: String) -> SQLQueryString {
        let terms = "\(index.table)_terms"
        let end = prefix + "\u{10FFFF}"  // above every word that begins with the prefix
        return """
            (SELECT CASE WHEN COUNT(*) BETWEEN 1 AND \(unsafeRaw: String(Self.expandedWords))
                THEN '(' || group_concat(\(bind: lead) || te.term || '"', ' OR ') || ')' ELSE \(bind: otherwise) END
            FROM (WITH RECURSIVE tw(term) AS (
                SELECT (SELECT term FROM \(unsafeRaw: terms) WHERE term >= \(bind: prefix) AND term < \(bind: end) LIMIT 1)
                UNION ALL
                SELECT (SELECT term FROM \(unsafeRaw: terms) WHERE term >= tw.term || char(1) AND term < \(bind: end) LIMIT 1)
                FROM tw WHERE tw.term IS NOT NULL LIMIT \(unsafeRaw: String(Self.expandedWords + 1)))
            SELECT term FROM tw WHERE term IS NOT NULL) te)
            """
    }
}

/// PostgreSQL: a `search_words` tsvector column on each source table, set by a trigger on every
/// insert and change of the text, under a GIN index. Words are split by the `simple` configuration
/// (no stemming, no stop words) after punctuation is turned into spaces, as `TextQuery.words`
/// splits them (and so `crash-dump.txt` holds the words crash, dump and txt).
struct PostgresTextSearch: TextSearch {
    private struct Index: Sendable {
        let table: String
        let text: @Sendable (String) -> String
        let changedColumns: String
    }

    private static let indexes: [TextSource: Index] = [
        .summaries: Index(table: "bugs", text: { "\($0).summary" }, changedColumns: "summary"),
        .comments: Index(table: "comments", text: { "\($0).body" }, changedColumns: "body"),
        .attachments: Index(table: "attachments", text: { "\($0).summary || ' ' || \($0).file_name" }, changedColumns: "summary, file_name"),
    ]

    var indexStatements: [String] {
        [
            """
            CREATE OR REPLACE FUNCTION bugzot_search_words(text TEXT) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT to_tsvector('pg_catalog.simple', regexp_replace(text, '[[:punct:]]+', ' ', 'g')) $$
            """
        ]
            + TextSource.allCases.compactMap { Self.indexes[$0] }.flatMap { index in
                [
                    "ALTER TABLE \(index.table) ADD COLUMN IF NOT EXISTS search_words tsvector",
                    """
                    CREATE OR REPLACE FUNCTION bugzot_\(index.table)_search_words() RETURNS trigger LANGUAGE plpgsql
                    AS $$ BEGIN NEW.search_words := bugzot_search_words(\(index.text("NEW"))); RETURN NEW; END $$
                    """,
                    "CREATE INDEX IF NOT EXISTS \(index.table)_search_words ON \(index.table) USING GIN (search_words)",
                ]
            } + changeTriggers
    }

    /// One trigger for inserts (which may not test `OLD`) and one for changes of the text.
    var changeTriggers: [String] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.flatMap { index in
            let changed = index.changedColumns.split(separator: ", ").map { "OLD.\($0) IS DISTINCT FROM NEW.\($0)" }.joined(separator: " OR ")
            return [
                """
                CREATE OR REPLACE TRIGGER \(index.table)_search_words BEFORE INSERT
                ON \(index.table) FOR EACH ROW EXECUTE FUNCTION bugzot_\(index.table)_search_words()
                """,
                """
                CREATE OR REPLACE TRIGGER \(index.table)_search_words_update BEFORE UPDATE OF \(index.changedColumns)
                ON \(index.table) FOR EACH ROW WHEN (\(changed)) EXECUTE FUNCTION bugzot_\(index.table)_search_words()
                """,
            ]
        }
    }

    var backfills: [Backfill] {
        TextSource.allCases.compactMap { Self.indexes[$0] }.map { index in
            Backfill(table: index.table) { lower, upper in
                """
                UPDATE \(unsafeRaw: index.table) s SET search_words = bugzot_search_words(\(unsafeRaw: index.text("s")))
                WHERE s.id > \(bind: lower) AND s.id <= \(bind: upper) AND s.search_words IS NULL
                """
            }
        }
    }

    func rows(of source: TextSource, matching query: TextQuery, scored: Bool, visible: SQLQueryString?) -> SQLQueryString {
        let alias = switch source {
        case .summaries: "ts"
        case .comments: "tc"
        case .attachments: "ta"
        }
        let tsquery: SQLQueryString = "to_tsquery('pg_catalog.simple', \(bind: Self.expression(query)))"
        let bugID: SQLQueryString = source == .summaries ? "ts.id" : "\(unsafeRaw: alias).bug_id"
        let score: SQLQueryString = scored ? ", ts_rank(\(unsafeRaw: alias).search_words, " + tsquery + ") AS score" : ""
        let filter = visible.map { " AND " + $0 } ?? ""
        return "SELECT " + bugID + " AS bug_id" + score
            + " FROM \(unsafeRaw: Self.indexes[source]?.table ?? "") \(unsafeRaw: alias) WHERE \(unsafeRaw: alias).search_words @@ " + tsquery + filter
    }

    func probe(of source: TextSource, matching query: TextQuery, visible: SQLQueryString?) -> SQLQueryString {
        let tsquery: SQLQueryString = "to_tsquery('pg_catalog.simple', \(bind: Self.expression(query)))"
        let filter = visible.map { " AND " + $0 } ?? ""
        // `LIMIT 1 OFFSET 0` keeps the lookup by the bug's key: without it the planner hashes every match first.
        switch source {
        case .summaries: return "b.search_words @@ " + tsquery
        case .comments:
            return "EXISTS (SELECT 1 FROM comments tc WHERE tc.bug_id = b.id" + filter + " AND tc.search_words @@ " + tsquery + " LIMIT 1 OFFSET 0)"
        case .attachments:
            return "EXISTS (SELECT 1 FROM attachments ta WHERE ta.bug_id = b.id" + filter + " AND ta.search_words @@ " + tsquery + " LIMIT 1 OFFSET 0)"
        }
    }

    var vocabularyStatements: [String] { [] }

    var merges: [Backfill] { [] }

    var mergeStatements: [String] { [] }

    var upkeepStatements: [String] { [] }

    /// A prefix is sampled as the whole word (a prefix's matches cost as much to sample as to read).
    func hasMatches(in source: TextSource, matching query: TextQuery, rows: Int) -> SQLQueryString {
        var query = query
        for index in query.terms.indices { query.terms[index].isPrefix = false }
        let table = Self.indexes[source]?.table ?? ""
        // One scan of the sampled rows, run once per window, below the highest id read once: the
        // planner plans one subquery rather than a window's each and its bounds' (a few tenths of
        // a millisecond apiece at a million bugs), and the count stops at `rows`. OFFSET 0 keeps the
        // words' test out of the sample's scan: the planner would rather read the whole index of a
        // common word than test the sampled rows one by one.
        let range = TextSample.range(number: "tq.number", top: "tb.top")
        let limit: SQLQueryString = " LIMIT \(unsafeRaw: String(rows))"
        return "((SELECT COUNT(*) FROM (SELECT 1 FROM (SELECT MAX(id) AS top FROM \(unsafeRaw: table)) tb"
            + " CROSS JOIN generate_series(1, \(unsafeRaw: String(TextSample.windows))) tq(number)"
            + " CROSS JOIN LATERAL (SELECT 1 FROM (SELECT ts.search_words FROM \(unsafeRaw: table) ts WHERE ts.id > " + range.lower
            + " AND ts.id <= " + range.upper + " OFFSET 0) tn WHERE tn.search_words @@ to_tsquery('pg_catalog.simple', \(bind: Self.expression(query)))"
            + limit + ") tw" + limit + ") tm) >= \(unsafeRaw: String(rows)))"
    }

    /// `to_tsquery`'s syntax: every word a quoted lexeme, phrases joined by `<->`, `:*` after a
    /// prefix. Words hold only letters and digits (`TextQuery.words`), never a quote.
    static func expression(_ query: TextQuery) -> String {
        query.terms.map { term in
            let words = term.words.map { "'" + $0 + "'" }
            return "(" + words.joined(separator: " <-> ") + (term.isPrefix ? ":*" : "") + ")"
        }.joined(separator: query.combination == .all ? " & " : " | ")
    }
}
