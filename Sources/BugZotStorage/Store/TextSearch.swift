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

    /// Brings rows written before the index into it (`indexStatements` keeps later ones in step).
    var backfills: [Backfill] { get }

    /// `SELECT <bug id> AS bug_id[, <score> AS score] FROM …` over the rows of `source` that match
    /// `query` and `visible` (a condition on `tc` or `ta`; nil: every row). A higher score is a better match.
    func rows(of source: TextSource, matching query: TextQuery, scored: Bool, visible: SQLQueryString?) -> SQLQueryString
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
                CREATE TRIGGER IF NOT EXISTS \(index.table)_update AFTER UPDATE OF \(index.changedColumns) ON \(index.source) BEGIN
                    INSERT OR REPLACE INTO \(index.table) (rowid, words) VALUES (new.id, \(index.text("new")));
                END
                """,
                """
                CREATE TRIGGER IF NOT EXISTS \(index.table)_delete AFTER DELETE ON \(index.source) BEGIN
                    DELETE FROM \(index.table) WHERE rowid = old.id;
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

    func rows(of source: TextSource, matching query: TextQuery, scored: Bool, visible: SQLQueryString?) -> SQLQueryString {
        let table = Self.indexes[source]?.table ?? ""
        // `rank` (bm25, lower is better) is a column, so it is read in any query shape; bm25() is not.
        let score: SQLQueryString = scored ? ", -\(unsafeRaw: table).rank AS score" : ""
        let match: SQLQueryString = "\(unsafeRaw: table) MATCH \(bind: Self.expression(query))"
        let filter = visible.map { " AND " + $0 } ?? ""
        switch source {
        case .summaries:
            return "SELECT \(unsafeRaw: table).rowid AS bug_id" + score + " FROM \(unsafeRaw: table) WHERE " + match
        case .comments:
            return "SELECT tc.bug_id AS bug_id" + score
                + " FROM \(unsafeRaw: table) JOIN comments tc ON tc.id = \(unsafeRaw: table).rowid WHERE " + match + filter
        case .attachments:
            return "SELECT ta.bug_id AS bug_id" + score
                + " FROM \(unsafeRaw: table) JOIN attachments ta ON ta.id = \(unsafeRaw: table).rowid WHERE " + match + filter
        }
    }

    /// FTS5's query syntax: every term a quoted string (so `NEAR`, `OR`, `AND` are words), `*` after a
    /// prefix. Words hold only letters and digits (`TextQuery.words`), never a quote.
    static func expression(_ query: TextQuery) -> String {
        query.terms.map { term in
            "\"" + term.words.joined(separator: " ") + "\"" + (term.isPrefix ? "*" : "")
        }.joined(separator: query.combination == .all ? " AND " : " OR ")
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
                    """
                    CREATE OR REPLACE TRIGGER \(index.table)_search_words BEFORE INSERT OR UPDATE OF \(index.changedColumns)
                    ON \(index.table) FOR EACH ROW EXECUTE FUNCTION bugzot_\(index.table)_search_words()
                    """,
                    "CREATE INDEX IF NOT EXISTS \(index.table)_search_words ON \(index.table) USING GIN (search_words)",
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

    /// `to_tsquery`'s syntax: every word a quoted lexeme, phrases joined by `<->`, `:*` after a
    /// prefix. Words hold only letters and digits (`TextQuery.words`), never a quote.
    static func expression(_ query: TextQuery) -> String {
        query.terms.map { term in
            let words = term.words.map { "'" + $0 + "'" }
            return "(" + words.joined(separator: " <-> ") + (term.isPrefix ? ":*" : "") + ")"
        }.joined(separator: query.combination == .all ? " & " : " | ")
    }
}
