extension Schema {
    /// `bugs.is_restricted`: whether the bug is in at least one group, so that visibility is a
    /// column test for the ~97% of bugs in none (`SQLStore.visibilityCondition`) instead of a probe
    /// of `bug_groups` per row. The database keeps it in step in the writing transaction, by
    /// triggers on `bug_groups` (which also fire for the seed's multi-row inserts and `COPY`, and
    /// for cascaded deletes); existing rows are set once, here.
    static func restrictedBugs(_ kind: DatabaseKind) -> [String] {
        let column = "ALTER TABLE bugs ADD COLUMN is_restricted BOOLEAN NOT NULL DEFAULT FALSE"
        let backfill = "UPDATE bugs SET is_restricted = TRUE WHERE id IN (SELECT bug_id FROM bug_groups)"
        // Whether `bug` is in a group now, as the flag's value.
        let inAGroup = { (bug: String) in "EXISTS (SELECT 1 FROM bug_groups g WHERE g.bug_id = \(bug))" }
        switch kind {
        case .sqlite:
            return [
                column,
                """
                CREATE TRIGGER bug_groups_restrict AFTER INSERT ON bug_groups BEGIN
                    UPDATE bugs SET is_restricted = TRUE WHERE id = new.bug_id AND is_restricted = FALSE;
                END
                """,
                """
                CREATE TRIGGER bug_groups_move AFTER UPDATE OF bug_id ON bug_groups BEGIN
                    UPDATE bugs SET is_restricted = \(inAGroup("bugs.id")) WHERE id IN (old.bug_id, new.bug_id);
                END
                """,
                """
                CREATE TRIGGER bug_groups_unrestrict AFTER DELETE ON bug_groups BEGIN
                    UPDATE bugs SET is_restricted = \(inAGroup("old.bug_id")) WHERE id = old.bug_id;
                END
                """,
                backfill,
            ]
        case .postgres:
            return [
                column,
                """
                CREATE FUNCTION bugzot_bug_groups_restrict() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    IF TG_OP <> 'INSERT' THEN
                        UPDATE bugs SET is_restricted = \(inAGroup("OLD.bug_id")) WHERE id = OLD.bug_id;
                    END IF;
                    IF TG_OP <> 'DELETE' THEN
                        UPDATE bugs SET is_restricted = TRUE WHERE id = NEW.bug_id AND is_restricted = FALSE;
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER bug_groups_restrict AFTER INSERT OR UPDATE OF bug_id OR DELETE ON bug_groups
                FOR EACH ROW EXECUTE FUNCTION bugzot_bug_groups_restrict()
                """,
                backfill,
            ]
        }
    }
}
