extension Schema {
    /// What WAMP-CRA (salted) checks a signature with: PBKDF2-SHA256 of an API key, derived when
    /// the key is made (`cra_key`, base64), with its salt and rounds. Keys made before have none
    /// and can't be used with WAMP-CRA; nothing is backfilled (the keys themselves are not kept).
    static let wampcraKeys = [
        "ALTER TABLE api_keys ADD COLUMN cra_salt TEXT",
        "ALTER TABLE api_keys ADD COLUMN cra_iterations BIGINT",
        "ALTER TABLE api_keys ADD COLUMN cra_key TEXT",
    ]
}
