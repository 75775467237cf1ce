import BugZotDomain
import BugZotStorage
import Foundation

/// What bugs are filed against and checked by, as one value read at once: the workflow, the
/// field values and keywords, the groups bugs may be restricted to, and every product with its
/// components, versions and milestones.
public struct CatalogSnapshot: Sendable {
    public let workflow: Workflow
    public let fields: FieldCatalog
    public let keywordDescriptions: [(name: String, description: String)]
    /// Every product, by name.
    public let products: [Product]
    /// Names of the active groups bugs may be restricted to.
    public let bugGroups: Set<String>
    private let productsByName: [String: Product]

    init(workflow: Workflow, fields: FieldCatalog, keywordDescriptions: [(name: String, description: String)], products: [Product], bugGroups: Set<String>) {
        self.workflow = workflow
        self.fields = fields
        self.keywordDescriptions = keywordDescriptions
        self.products = products
        self.bugGroups = bugGroups
        self.productsByName = Dictionary(products.map { ($0.name, $0) }) { first, _ in first }
    }

    /// Reads the snapshot through `store` (a dozen statements, once per change).
    static func load(_ store: SQLStore) async throws -> CatalogSnapshot {
        CatalogSnapshot(
            workflow: try await store.workflow(), fields: try await store.fieldCatalog(),
            keywordDescriptions: try await store.keywordDescriptions(), products: try await store.products(ids: try await store.productIDs()),
            bugGroups: try await store.bugGroupNames())
    }

    /// The product with exactly this name.
    public func product(named name: String) -> Product? {
        productsByName[name]
    }

    /// The products with any of these ids or names, by name.
    public func products(ids: [Int], names: [String]) -> [Product] {
        let ids = Set(ids), names = Set(names)
        return products.filter { ids.contains($0.id) || names.contains($0.name) }
    }

    /// The rules bugs are filed and changed by, under `policy`.
    func rules(policy: Policy) -> BugRules {
        BugRules(workflow: workflow, catalog: fields, policy: policy, bugGroups: bugGroups)
    }
}

/// The installation's `CatalogSnapshot`, read once and kept until the database announces a
/// change to the catalog (on PostgreSQL, made by whichever instance), so that requests read it
/// with no statement. Kept at most `lifetime` as a safety net, and not at all while the change
/// feed is not live.
public final class CatalogSnapshots: Sendable {
    /// The safety net under the invalidations (and how late a change made by another process
    /// on SQLite, such as `bugzot workflow use` beside a running server, is seen).
    static let lifetime = Duration.seconds(60)

    private let database: any Database
    private let snapshot = TimedCache<SingleValue, CatalogSnapshot>(lifetime: lifetime)

    public init(database: any Database) {
        self.database = database
        database.changes.observe { [weak self] notice in
            switch notice {
            case .reset: self?.snapshot.invalidateAll()
            case .changed(let changes) where changes.contains(.catalog): self?.snapshot.invalidateAll()
            case .changed: break
            }
        }
    }

    /// The snapshot, read in a connection of its own when it must be read.
    public func current() async throws -> CatalogSnapshot {
        try await current { load in try await database.read { sql in try await load(SQLStore(sql)) } }
    }

    /// The snapshot, read through `store` (the caller's read or transaction) when it must be read.
    public func current(in store: SQLStore) async throws -> CatalogSnapshot {
        try await current { load in try await load(store) }
    }

    private func current(
        reading read: (@escaping @Sendable (SQLStore) async throws -> CatalogSnapshot) async throws -> CatalogSnapshot
    ) async throws -> CatalogSnapshot {
        guard database.changes.isLive else { return try await read(CatalogSnapshot.load) }
        return try await snapshot.value { try await read(CatalogSnapshot.load) }
    }
}
