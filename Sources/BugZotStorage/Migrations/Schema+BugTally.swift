extension Schema {
    /// `bug_tally`: how many bugs each (product, component, status, resolution) holds, so that a
    /// count on those fields alone (`SQLStore.countBugs`) sums a few tally rows instead of reading
    /// hundreds of thousands of bugs. The database keeps it in step inside the writing transaction,
    /// by triggers on `bugs` (which also fire for the seed's multi-row inserts and `COPY`). The
    /// tally counts every bug, confidential ones too; a count subtracts those the viewer may not
    /// see, which are few, read live through `bugs_restricted_*`.
    ///
    /// On PostgreSQL each key is split over `slot`s, one per connection (its backend's pid modulo
    /// 16), so that concurrent writers in the same product and status update rows of their own
    /// instead of queueing on one row's lock until commit; a slot's `n` may go below zero, only
    /// the sum over slots means anything. Each change takes its rows in key order, so two writers
    /// moving bugs in opposite directions can't deadlock. SQLite has one writer: one slot.
    ///
    /// The existing bugs are tallied once, here, by one aggregate in the migration's transaction
    /// (a second or two at a million bugs), so no write is counted twice or missed.
    static func bugTally(_ kind: DatabaseKind) -> [String] {
        let visibilityColumns = "assignee_id, reporter_id, qa_contact_id, is_creator_accessible, is_cc_accessible, is_restricted, id"
        let key = "product_id, component_id, status, resolution, slot"
        var statements = [
            """
            CREATE TABLE bug_tally (
                product_id BIGINT NOT NULL,
                component_id BIGINT NOT NULL,
                status TEXT NOT NULL,
                resolution TEXT NOT NULL,
                slot INTEGER NOT NULL,
                n BIGINT NOT NULL,
                PRIMARY KEY (\(key))
            )
            """,
            "CREATE INDEX bug_tally_component ON bug_tally (component_id)",
            // The confidential bugs a count checks one by one, by the fields counts filter on, with
            // what visibility reads of them, so that the check reads no row of `bugs` itself.
            "CREATE INDEX bugs_restricted_product ON bugs (product_id, status, resolution, \(visibilityColumns)) WHERE is_restricted = TRUE",
            "CREATE INDEX bugs_restricted_component ON bugs (component_id, status, resolution, \(visibilityColumns)) WHERE is_restricted = TRUE",
        ]
        switch kind {
        case .sqlite:
            let add = { (row: String) in
                """
                INSERT INTO bug_tally (\(key), n) VALUES (\(row).product_id, \(row).component_id, \(row).status, \(row).resolution, 0, 1)
                    ON CONFLICT (\(key)) DO UPDATE SET n = n + 1;
                """
            }
            let remove = { (row: String) in
                """
                UPDATE bug_tally SET n = n - 1 WHERE product_id = \(row).product_id AND component_id = \(row).component_id
                    AND status = \(row).status AND resolution = \(row).resolution AND slot = 0;
                """
            }
            statements += [
                "CREATE TRIGGER bugs_tally_insert AFTER INSERT ON bugs BEGIN \(add("new")) END",
                "CREATE TRIGGER bugs_tally_delete AFTER DELETE ON bugs BEGIN \(remove("old")) END",
                """
                CREATE TRIGGER bugs_tally_update AFTER UPDATE OF product_id, component_id, status, resolution ON bugs
                WHEN old.product_id <> new.product_id OR old.component_id <> new.component_id
                    OR old.status <> new.status OR old.resolution <> new.resolution
                BEGIN \(remove("old")) \(add("new")) END
                """,
                """
                INSERT INTO bug_tally (\(key), n)
                SELECT product_id, component_id, status, resolution, 0, COUNT(*) FROM bugs
                GROUP BY product_id, component_id, status, resolution
                """,
            ]
        case .postgres:
            let slot = "(pg_backend_pid() % 16)"
            // Adds each row's `d` to its key's row in this connection's slot, in key order.
            let apply = { (rows: String) in
                """
                INSERT INTO bug_tally (\(key), n)
                SELECT product_id, component_id, status, resolution, \(slot), SUM(d) FROM (\(rows)) AS changed
                GROUP BY product_id, component_id, status, resolution ORDER BY product_id, component_id, status, resolution
                ON CONFLICT (\(key)) DO UPDATE SET n = bug_tally.n + EXCLUDED.n;
                """
            }
            let columns = "product_id, component_id, status, resolution"
            statements += [
                """
                CREATE FUNCTION bugzot_bug_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    \(apply("SELECT \(columns), 1 AS d FROM tallied_new"))
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION bugzot_bug_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    \(apply("SELECT \(columns), -1 AS d FROM tallied_old"))
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION bugzot_bug_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    \(apply("""
                        SELECT OLD.product_id AS product_id, OLD.component_id AS component_id, OLD.status AS status,
                            OLD.resolution AS resolution, -1 AS d
                        UNION ALL SELECT NEW.product_id, NEW.component_id, NEW.status, NEW.resolution, 1
                        """))
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER bugs_tally_insert AFTER INSERT ON bugs REFERENCING NEW TABLE AS tallied_new
                FOR EACH STATEMENT EXECUTE FUNCTION bugzot_bug_tally_insert()
                """,
                """
                CREATE TRIGGER bugs_tally_delete AFTER DELETE ON bugs REFERENCING OLD TABLE AS tallied_old
                FOR EACH STATEMENT EXECUTE FUNCTION bugzot_bug_tally_delete()
                """,
                """
                CREATE TRIGGER bugs_tally_update AFTER UPDATE OF product_id, component_id, status, resolution ON bugs
                FOR EACH ROW WHEN (OLD.product_id <> NEW.product_id OR OLD.component_id <> NEW.component_id
                    OR OLD.status <> NEW.status OR OLD.resolution <> NEW.resolution)
                EXECUTE FUNCTION bugzot_bug_tally_update()
                """,
                """
                INSERT INTO bug_tally (\(key), n)
                SELECT product_id, component_id, status, resolution, 0, COUNT(*) FROM bugs
                GROUP BY product_id, component_id, status, resolution
                """,
            ]
        }
        statements.append("ANALYZE bug_tally")
        return statements + userNames(kind)
    }

    /// Users are matched by part of their login or real name (searches by assignee, reporter, QA
    /// contact, CC): trigram indexes of both, so that a match reads the few users it finds, not
    /// all of them. On SQLite `user_names`, an FTS5 trigram index of `users`' two columns, kept in
    /// step by triggers; on PostgreSQL GIN trigram indexes of the lowercased columns, when the
    /// installation has `pg_trgm` and may create it (without it, matching reads every user).
    private static func userNames(_ kind: DatabaseKind) -> [String] {
        switch kind {
        case .sqlite:
            let add = { (row: String) in
                "INSERT INTO user_names (rowid, login_name, real_name) VALUES (\(row).id, \(row).login_name, \(row).real_name);"
            }
            let remove = { (row: String) in
                """
                INSERT INTO user_names (user_names, rowid, login_name, real_name)
                    VALUES ('delete', \(row).id, \(row).login_name, \(row).real_name);
                """
            }
            return [
                "CREATE VIRTUAL TABLE user_names USING fts5(login_name, real_name, content='users', content_rowid='id', tokenize='trigram')",
                "CREATE TRIGGER users_names_insert AFTER INSERT ON users BEGIN \(add("new")) END",
                "CREATE TRIGGER users_names_delete AFTER DELETE ON users BEGIN \(remove("old")) END",
                "CREATE TRIGGER users_names_update AFTER UPDATE OF login_name, real_name ON users BEGIN \(remove("old")) \(add("new")) END",
                "INSERT INTO user_names (user_names) VALUES ('rebuild')",
            ]
        case .postgres:
            return [
                """
                DO $$ DECLARE home TEXT; BEGIN
                    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
                        -- An extension is the database's, not the schema's: instances migrating schemas of
                        -- one database at once would both create it (a duplicate key), so one at a time.
                        PERFORM pg_advisory_xact_lock(hashtext('bugzot: CREATE EXTENSION pg_trgm'));
                        CREATE EXTENSION IF NOT EXISTS pg_trgm;
                        -- Wherever it was installed, which need not be on this schema's search path.
                        SELECT n.nspname INTO home FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                            WHERE e.extname = 'pg_trgm';
                        EXECUTE format('CREATE INDEX users_login_name_trigrams ON users USING gin (LOWER(login_name) %I.gin_trgm_ops)', home);
                        EXECUTE format('CREATE INDEX users_real_name_trigrams ON users USING gin (LOWER(real_name) %I.gin_trgm_ops)', home);
                    END IF;
                EXCEPTION WHEN insufficient_privilege THEN
                    RAISE NOTICE 'pg_trgm could not be created: users are matched by name without an index';
                END $$
                """,
                "ANALYZE users",
            ]
        }
    }
}
