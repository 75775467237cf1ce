import BugZotDomain
import Foundation

/// BugZot's schema, one migration per version. Times are Unix seconds (BIGINT) on both dialects.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration("001_core_schema", statements: coreSchema),
        Migration("002_seed_defaults", statements: { _ in seedDefaults() }),
        Migration("003_attachments", statements: attachments),
        Migration("004_blob_chunks", statements: blobChunks),
        Migration("005_web_accounts", statements: webAccounts),
        Migration("006_notifications", statements: notifications),
        Migration("007_attachment_comment_privacy", statements: { _ in attachmentCommentPrivacy }),
        Migration("008_web_drafts", statements: { _ in webDrafts }),
        Migration("009_bounded_anonymous_storage", statements: boundedAnonymousStorage),
        // The full-text index of summaries, comments and attachments (`TextSearch`), then the rows
        // written before it, in batches.
        Migration("010_full_text_search", statements: { $0.textSearch.indexStatements }, backfills: { $0.textSearch.backfills }),
        // Indexes in the order of the common lists (Schema+ListIndexes.swift).
        Migration("011_list_indexes", statements: { _ in listIndexes }),
        // Whether each bug is in a group, kept by triggers (Schema+RestrictedBugs.swift).
        Migration("012_restricted_bugs", statements: restrictedBugs),
        // How many bugs each product, component, status and resolution holds, kept by triggers,
        // for counts (Schema+BugTally.swift).
        Migration("013_bug_tally", statements: bugTally),
        // Indexes of bugs that a list index of 011 begins with (Schema+RedundantIndexes.swift).
        Migration("014_redundant_bug_indexes", statements: { _ in redundantIndexes }),
        // The vocabulary of each full-text index, which prefixes are looked up in, then each
        // index merged into one part a batch at a time (`TextSearch.merges`).
        Migration("015_text_vocabulary", statements: { $0.textSearch.vocabularyStatements }, backfills: { $0.textSearch.merges }),
        // The full-text index's update triggers fire only when the indexed text changes, not on
        // every change of a bug (`TextSearch.changeTriggers`).
        Migration("016_text_change_triggers", statements: { $0.textSearch.changeTriggers }),
        // One product's bugs of a resolution in id order, for searches without an order
        // (Schema+ProductIDIndex.swift).
        Migration("017_product_id_index", statements: { _ in productIDIndexes }),
        // Events after each commit, kept for a bounded time (Schema+Events.swift).
        Migration("018_events", statements: events),
        // The keys WAMP-CRA checks signatures with, derived from each API key as it is made
        // (Schema+WAMPCRAKeys.swift).
        Migration("019_wampcra_keys", statements: { _ in wampcraKeys }),
    ]

    /// Drafts get an order and, for signed-in people, their user, so that the oldest go first
    /// under the per-browser, per-user and signed-out caps (an hour's drafts are given up: the
    /// table is recreated). Expired sign-ups are found by the age of their activation link, and
    /// what could still name them by index.
    private static func boundedAnonymousStorage(_ kind: DatabaseKind) -> [String] {
        [
            "DROP TABLE web_drafts",
            """
            CREATE TABLE web_drafts (
                id \(primaryKey(kind)),
                token_hash TEXT NOT NULL UNIQUE,
                owner_hash TEXT NOT NULL,
                user_id BIGINT,
                payload TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX web_drafts_created ON web_drafts (created_at)",
            "CREATE INDEX web_drafts_owner ON web_drafts (owner_hash, id)",
            "CREATE INDEX web_drafts_user ON web_drafts (user_id, id)",
            "CREATE INDEX account_activations_created ON account_activations (created_at)",
            // What an expired sign-up must not be named by before it goes (SQLStore.userReferences).
            "CREATE INDEX comments_author ON comments (author_id)",
            "CREATE INDEX bug_history_who ON bug_history (who_id)",
            "CREATE INDEX attachments_creator ON attachments (creator_id)",
            "CREATE INDEX component_cc_user ON component_cc (user_id)",
            // Old attempts are forgotten by age.
            "CREATE INDEX login_failures_at ON login_failures (failed_at)",
        ]
    }

    /// What a browser sent that could not be saved yet (a refused change, a comment typed before
    /// following a bug), kept an hour for the page it goes back to.
    private static let webDrafts = [
        """
        CREATE TABLE web_drafts (
            token_hash TEXT PRIMARY KEY,
            owner_hash TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX web_drafts_created ON web_drafts (created_at)",
    ]

    /// Comments about attachments take their privacy from the attachment at every moment: those
    /// that copied a private attachment's privacy when they were written stop carrying their own
    /// (they stay private while the attachment is; they become public with it).
    private static let attachmentCommentPrivacy = [
        """
        UPDATE comments SET is_private = FALSE
        WHERE attachment_id IN (SELECT id FROM attachments WHERE is_private = TRUE)
        """,
        "CREATE INDEX comments_attachment ON comments (attachment_id)",
    ]

    /// The job queue (the outbox of mail and webhooks), mail preferences, component watchers,
    /// password resets, webhooks and their deliveries.
    private static func notifications(_ kind: DatabaseKind) -> [String] {
        let pk = primaryKey(kind)
        return [
            """
            CREATE TABLE jobs (
                id \(pk),
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                idempotency_key TEXT UNIQUE,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                run_at BIGINT NOT NULL,
                lease_until BIGINT,
                last_error TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                finished_at BIGINT
            )
            """,
            "CREATE INDEX jobs_ready ON jobs (state, run_at)",
            """
            CREATE TABLE mail_opt_outs (
                user_id BIGINT NOT NULL REFERENCES users(id),
                change_kind TEXT NOT NULL,
                PRIMARY KEY (user_id, change_kind)
            )
            """,
            """
            CREATE TABLE component_watchers (
                component_id BIGINT NOT NULL REFERENCES components(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                PRIMARY KEY (component_id, user_id)
            )
            """,
            "CREATE INDEX component_watchers_user ON component_watchers (user_id)",
            """
            CREATE TABLE password_resets (
                user_id BIGINT PRIMARY KEY REFERENCES users(id),
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE webhooks (
                id \(pk),
                owner_id BIGINT NOT NULL REFERENCES users(id),
                url TEXT NOT NULL,
                secret TEXT NOT NULL,
                product TEXT,
                events TEXT NOT NULL,
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE webhook_deliveries (
                id \(pk),
                webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
                job_id BIGINT NOT NULL,
                event TEXT NOT NULL,
                attempted_at BIGINT NOT NULL,
                status_code BIGINT,
                outcome TEXT NOT NULL,
                duration_ms BIGINT NOT NULL
            )
            """,
            "CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id)",
        ]
    }

    /// Browser sessions, pending sign-ups and saved searches: what the web UI keeps.
    private static func webAccounts(_ kind: DatabaseKind) -> [String] {
        let pk = primaryKey(kind)
        return [
            """
            CREATE TABLE web_sessions (
                id \(pk),
                user_id BIGINT NOT NULL REFERENCES users(id),
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX web_sessions_user ON web_sessions (user_id)",
            """
            CREATE TABLE account_activations (
                user_id BIGINT PRIMARY KEY REFERENCES users(id),
                token_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE saved_searches (
                id \(pk),
                user_id BIGINT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL,
                query TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (user_id, name)
            )
            """,
        ]
    }

    /// Attachment bytes kept in the database (`--attachment-store database`).
    private static func blobChunks(_ kind: DatabaseKind) -> [String] {
        let bytes = kind == .postgres ? "BYTEA" : "BLOB"
        return [
            "CREATE TABLE blobs (blob_key TEXT PRIMARY KEY, size BIGINT NOT NULL)",
            """
            CREATE TABLE blob_chunks (
                blob_key TEXT NOT NULL,
                seq BIGINT NOT NULL,
                data \(bytes) NOT NULL,
                PRIMARY KEY (blob_key, seq)
            )
            """,
        ]
    }

    private static func attachments(_ kind: DatabaseKind) -> [String] {
        [
            """
            CREATE TABLE attachments (
                id \(primaryKey(kind)),
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                file_name TEXT NOT NULL,
                summary TEXT NOT NULL,
                content_type TEXT NOT NULL,
                is_patch BOOLEAN NOT NULL DEFAULT FALSE,
                is_obsolete BOOLEAN NOT NULL DEFAULT FALSE,
                is_private BOOLEAN NOT NULL DEFAULT FALSE,
                creator_id BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                last_change_at BIGINT NOT NULL,
                size BIGINT NOT NULL,
                blob_key TEXT NOT NULL
            )
            """,
            "CREATE INDEX attachments_bug ON attachments (bug_id)",
            "CREATE INDEX attachments_blob ON attachments (blob_key)",
        ]
    }

    /// The dialect's auto-numbered primary key.
    static func primaryKey(_ kind: DatabaseKind) -> String {
        switch kind {
        case .sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        }
    }

    private static func coreSchema(_ kind: DatabaseKind) -> [String] {
        let pk = primaryKey(kind)
        return [
            """
            CREATE TABLE users (
                id \(pk),
                login_name TEXT NOT NULL UNIQUE,
                real_name TEXT NOT NULL DEFAULT '',
                password_hash TEXT NOT NULL,
                is_enabled BOOLEAN NOT NULL DEFAULT TRUE,
                disabled_text TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE access_groups (
                id \(pk),
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL,
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                is_bug_group BOOLEAN NOT NULL,
                is_system BOOLEAN NOT NULL DEFAULT FALSE
            )
            """,
            """
            CREATE TABLE user_groups (
                user_id BIGINT NOT NULL REFERENCES users(id),
                group_id BIGINT NOT NULL REFERENCES access_groups(id),
                PRIMARY KEY (user_id, group_id)
            )
            """,
            "CREATE INDEX user_groups_group ON user_groups (group_id)",
            """
            CREATE TABLE classifications (
                id \(pk),
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                sort_key BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE products (
                id \(pk),
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL,
                classification_id BIGINT NOT NULL REFERENCES classifications(id),
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                default_milestone TEXT NOT NULL DEFAULT '---',
                allows_unconfirmed BOOLEAN NOT NULL DEFAULT TRUE
            )
            """,
            """
            CREATE TABLE components (
                id \(pk),
                product_id BIGINT NOT NULL REFERENCES products(id),
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                default_assignee_id BIGINT NOT NULL REFERENCES users(id),
                default_qa_contact_id BIGINT REFERENCES users(id),
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                sort_key BIGINT NOT NULL DEFAULT 0,
                UNIQUE (product_id, name)
            )
            """,
            """
            CREATE TABLE component_cc (
                component_id BIGINT NOT NULL REFERENCES components(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                PRIMARY KEY (component_id, user_id)
            )
            """,
            """
            CREATE TABLE versions (
                id \(pk),
                product_id BIGINT NOT NULL REFERENCES products(id),
                name TEXT NOT NULL,
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                sort_key BIGINT NOT NULL DEFAULT 0,
                UNIQUE (product_id, name)
            )
            """,
            """
            CREATE TABLE milestones (
                id \(pk),
                product_id BIGINT NOT NULL REFERENCES products(id),
                name TEXT NOT NULL,
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                sort_key BIGINT NOT NULL DEFAULT 0,
                UNIQUE (product_id, name)
            )
            """,
            """
            CREATE TABLE statuses (
                name TEXT PRIMARY KEY,
                is_open BOOLEAN NOT NULL,
                sort_key BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE status_transitions (
                from_status TEXT NOT NULL,
                to_status TEXT NOT NULL REFERENCES statuses(name),
                comment_required BOOLEAN NOT NULL DEFAULT FALSE,
                PRIMARY KEY (from_status, to_status)
            )
            """,
            """
            CREATE TABLE resolutions (
                name TEXT PRIMARY KEY,
                sort_key BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE field_values (
                field TEXT NOT NULL,
                value TEXT NOT NULL,
                sort_key BIGINT NOT NULL,
                PRIMARY KEY (field, value)
            )
            """,
            """
            CREATE TABLE keywords (
                id \(pk),
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT ''
            )
            """,
            """
            CREATE TABLE bugs (
                id \(pk),
                product_id BIGINT NOT NULL REFERENCES products(id),
                component_id BIGINT NOT NULL REFERENCES components(id),
                version TEXT NOT NULL,
                target_milestone TEXT NOT NULL,
                summary TEXT NOT NULL,
                status TEXT NOT NULL,
                resolution TEXT NOT NULL DEFAULT '',
                severity TEXT NOT NULL,
                priority TEXT NOT NULL,
                op_sys TEXT NOT NULL,
                platform TEXT NOT NULL,
                reporter_id BIGINT NOT NULL REFERENCES users(id),
                assignee_id BIGINT NOT NULL REFERENCES users(id),
                qa_contact_id BIGINT REFERENCES users(id),
                dupe_of BIGINT REFERENCES bugs(id),
                url TEXT NOT NULL DEFAULT '',
                whiteboard TEXT NOT NULL DEFAULT '',
                deadline TEXT,
                is_creator_accessible BOOLEAN NOT NULL DEFAULT TRUE,
                is_cc_accessible BOOLEAN NOT NULL DEFAULT TRUE,
                is_confirmed BOOLEAN NOT NULL DEFAULT TRUE,
                created_at BIGINT NOT NULL,
                last_change_at BIGINT NOT NULL
            )
            """,
            // One column each, so that rows come out in id order (the index ends in the row id)
            // and `product=X ORDER BY id LIMIT n` stops after n rows instead of sorting them all.
            "CREATE INDEX bugs_product ON bugs (product_id)",
            "CREATE INDEX bugs_component ON bugs (component_id)",
            "CREATE INDEX bugs_status ON bugs (status)",
            "CREATE INDEX bugs_resolution ON bugs (resolution)",
            "CREATE INDEX bugs_assignee ON bugs (assignee_id)",
            "CREATE INDEX bugs_reporter ON bugs (reporter_id)",
            "CREATE INDEX bugs_qa_contact ON bugs (qa_contact_id)",
            "CREATE INDEX bugs_severity ON bugs (severity)",
            "CREATE INDEX bugs_priority ON bugs (priority)",
            "CREATE INDEX bugs_version ON bugs (version)",
            "CREATE INDEX bugs_target_milestone ON bugs (target_milestone)",
            "CREATE INDEX bugs_dupe_of ON bugs (dupe_of)",
            "CREATE INDEX bugs_created_at ON bugs (created_at)",
            "CREATE INDEX bugs_last_change_at ON bugs (last_change_at)",
            """
            CREATE TABLE bug_aliases (
                alias TEXT PRIMARY KEY,
                bug_id BIGINT NOT NULL REFERENCES bugs(id)
            )
            """,
            "CREATE INDEX bug_aliases_bug ON bug_aliases (bug_id)",
            """
            CREATE TABLE bug_cc (
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                PRIMARY KEY (bug_id, user_id)
            )
            """,
            "CREATE INDEX bug_cc_user ON bug_cc (user_id)",
            """
            CREATE TABLE bug_keywords (
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                keyword_id BIGINT NOT NULL REFERENCES keywords(id),
                PRIMARY KEY (bug_id, keyword_id)
            )
            """,
            "CREATE INDEX bug_keywords_keyword ON bug_keywords (keyword_id)",
            """
            CREATE TABLE bug_dependencies (
                blocked_id BIGINT NOT NULL REFERENCES bugs(id),
                depends_on_id BIGINT NOT NULL REFERENCES bugs(id),
                PRIMARY KEY (blocked_id, depends_on_id)
            )
            """,
            "CREATE INDEX bug_dependencies_depends_on ON bug_dependencies (depends_on_id)",
            """
            CREATE TABLE bug_see_also (
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                url TEXT NOT NULL,
                PRIMARY KEY (bug_id, url)
            )
            """,
            """
            CREATE TABLE bug_groups (
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                group_id BIGINT NOT NULL REFERENCES access_groups(id),
                PRIMARY KEY (bug_id, group_id)
            )
            """,
            "CREATE INDEX bug_groups_group ON bug_groups (group_id)",
            """
            CREATE TABLE comments (
                id \(pk),
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                count BIGINT NOT NULL,
                author_id BIGINT NOT NULL REFERENCES users(id),
                body TEXT NOT NULL,
                is_private BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL,
                attachment_id BIGINT,
                UNIQUE (bug_id, count)
            )
            """,
            "CREATE INDEX comments_created_at ON comments (bug_id, created_at)",
            """
            CREATE TABLE bug_history (
                id \(pk),
                bug_id BIGINT NOT NULL REFERENCES bugs(id),
                change_set TEXT NOT NULL,
                who_id BIGINT NOT NULL REFERENCES users(id),
                changed_at BIGINT NOT NULL,
                field TEXT NOT NULL,
                removed TEXT NOT NULL,
                added TEXT NOT NULL,
                attachment_id BIGINT
            )
            """,
            "CREATE INDEX bug_history_bug ON bug_history (bug_id, changed_at)",
            """
            CREATE TABLE api_keys (
                id \(pk),
                user_id BIGINT NOT NULL REFERENCES users(id),
                key_prefix TEXT NOT NULL,
                key_hash TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                is_revoked BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT
            )
            """,
            "CREATE INDEX api_keys_prefix ON api_keys (key_prefix)",
            "CREATE INDEX api_keys_user ON api_keys (user_id)",
            """
            CREATE TABLE login_tokens (
                id \(pk),
                user_id BIGINT NOT NULL REFERENCES users(id),
                token_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX login_tokens_user ON login_tokens (user_id)",
            """
            CREATE TABLE login_failures (
                id \(pk),
                subject TEXT NOT NULL,
                failed_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX login_failures_subject ON login_failures (subject, failed_at)",
        ]
    }

    /// System groups, the default workflow and the standard field values.
    private static func seedDefaults() -> [String] {
        var statements: [String] = []
        for group in SystemGroup.allCases {
            statements.append(
                "INSERT INTO access_groups (name, description, is_active, is_bug_group, is_system) VALUES (\(literal(group.rawValue)), \(literal(group.description)), TRUE, FALSE, TRUE)"
            )
        }
        statements.append("INSERT INTO classifications (name, description, sort_key) VALUES ('Unclassified', 'Not assigned to any classification', 0)")
        statements += WorkflowTables.statements(for: .classic)
        for field in SelectField.allCases {
            for (index, value) in FieldCatalog.standard.values(of: field).enumerated() {
                statements.append(
                    "INSERT INTO field_values (field, value, sort_key) VALUES (\(literal(field.rawValue)), \(literal(value)), \((index + 1) * 100))"
                )
            }
        }
        return statements
    }

    /// A SQL string literal; only for the constant seed data above.
    static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// How a `Workflow` is written into the `statuses`, `status_transitions`, `resolutions` and
/// `settings` tables.
enum WorkflowTables {
    static let settingNames = (
        name: "workflow.name", defaultStatus: "workflow.default_status", unconfirmed: "workflow.unconfirmed_status",
        taken: "workflow.taken_status", duplicate: "workflow.duplicate_status", duplicateResolution: "workflow.duplicate_resolution"
    )

    static func statements(for workflow: Workflow) -> [String] {
        let literal = Schema.literal
        var statements = [
            "DELETE FROM status_transitions", "DELETE FROM statuses", "DELETE FROM resolutions",
            "DELETE FROM settings WHERE name LIKE 'workflow.%'",
        ]
        for (index, status) in workflow.statuses.enumerated() {
            statements.append(
                "INSERT INTO statuses (name, is_open, sort_key) VALUES (\(literal(status.name)), \(status.isOpen ? "TRUE" : "FALSE"), \((index + 1) * 100))"
            )
        }
        for transition in workflow.transitions {
            statements.append(
                "INSERT INTO status_transitions (from_status, to_status, comment_required) VALUES (\(literal(transition.from ?? "")), \(literal(transition.to)), \(transition.commentRequired ? "TRUE" : "FALSE"))"
            )
        }
        for (index, resolution) in workflow.resolutions.enumerated() {
            statements.append("INSERT INTO resolutions (name, sort_key) VALUES (\(literal(resolution)), \((index + 1) * 100))")
        }
        let names = settingNames
        let settings: [(String, String?)] = [
            (names.name, workflow.name), (names.defaultStatus, workflow.defaultStatus),
            (names.unconfirmed, workflow.unconfirmedStatus), (names.taken, workflow.takenStatus),
            (names.duplicate, workflow.duplicateStatus), (names.duplicateResolution, workflow.duplicateResolution),
        ]
        for case let (name, value?) in settings {
            statements.append("INSERT INTO settings (name, value) VALUES (\(literal(name)), \(literal(value)))")
        }
        return statements
    }
}
