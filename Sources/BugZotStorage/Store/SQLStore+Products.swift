import Foundation
import BugZotDomain
import SQLKit

extension SQLStore {
    public func productIDs() async throws -> [Int] {
        try await all("SELECT id FROM products ORDER BY name").map { try $0.int("id") }
    }

    /// Products with the given ids or names, with their components, versions and milestones.
    public func products(ids: [Int] = [], names: [String] = []) async throws -> [Product] {
        let rows = try await all(
            """
            SELECT p.id, p.name, p.description, p.is_active, p.default_milestone, p.allows_unconfirmed, c.name AS classification
            FROM products p JOIN classifications c ON c.id = p.classification_id
            WHERE p.id IN \(inList(ids)) OR p.name IN \(inList(names)) ORDER BY p.name
            """)
        var products = try rows.map { row in
            Product(
                id: try row.int("id"), name: try row.string("name"), description: try row.string("description"),
                classification: try row.string("classification"), isActive: try row.bool("is_active"),
                defaultMilestone: try row.string("default_milestone"), allowsUnconfirmed: try row.bool("allows_unconfirmed"))
        }
        let productIDs = products.map(\.id)
        let components = try await all(
            """
            SELECT c.id, c.product_id, c.name, c.description, c.is_active, c.sort_key,
                a.id AS a_id, a.login_name AS a_login, a.real_name AS a_name,
                q.id AS q_id, q.login_name AS q_login, q.real_name AS q_name
            FROM components c JOIN users a ON a.id = c.default_assignee_id LEFT JOIN users q ON q.id = c.default_qa_contact_id
            WHERE c.product_id IN \(inList(productIDs)) ORDER BY c.sort_key, c.name
            """)
        let versions = try await productValues(table: "versions", productIDs: productIDs)
        let milestones = try await productValues(table: "milestones", productIDs: productIDs)
        for index in products.indices {
            let id = products[index].id
            products[index].components = try components.filter { try $0.int("product_id") == id }.map { row in
                let qaID = try row.optionalInt("q_id")
                return Component(
                    id: try row.int("id"), name: try row.string("name"), description: try row.string("description"),
                    defaultAssignee: UserSummary(id: try row.int("a_id"), login: try row.string("a_login"), realName: try row.string("a_name")),
                    defaultQAContact: try qaID.map { UserSummary(id: $0, login: try row.string("q_login"), realName: try row.string("q_name")) },
                    isActive: try row.bool("is_active"), sortKey: try row.int("sort_key"))
            }
            products[index].versions = versions[id] ?? []
            products[index].milestones = milestones[id] ?? []
        }
        return products
    }

    private func productValues(table: String, productIDs: [Int]) async throws -> [Int: [ProductValue]] {
        let rows = try await all(
            "SELECT id, product_id, name, is_active, sort_key FROM \(ident: table) WHERE product_id IN \(inList(productIDs)) ORDER BY sort_key, name"
        )
        var result: [Int: [ProductValue]] = [:]
        for row in rows {
            result[try row.int("product_id"), default: []].append(
                ProductValue(id: try row.int("id"), name: try row.string("name"), isActive: try row.bool("is_active"), sortKey: try row.int("sort_key")))
        }
        return result
    }

    public func product(name: String) async throws -> Product? {
        try await products(names: [name]).first
    }

    public func insertProduct(
        name: String, description: String, classificationID: Int, isActive: Bool, defaultMilestone: String, allowsUnconfirmed: Bool
    ) async throws -> Int {
        announce(.catalog)
        return try await insert(
            """
            INSERT INTO products (name, description, classification_id, is_active, default_milestone, allows_unconfirmed)
            VALUES (\(bind: name), \(bind: description), \(bind: classificationID), \(bind: isActive), \(bind: defaultMilestone), \(bind: allowsUnconfirmed))
            """)
    }

    public func insertVersion(productID: Int, name: String) async throws -> Int {
        announce(.catalog)
        return try await insert("INSERT INTO versions (product_id, name, is_active, sort_key) VALUES (\(bind: productID), \(bind: name), TRUE, 0)")
    }

    public func insertMilestone(productID: Int, name: String) async throws -> Int {
        announce(.catalog)
        return try await insert("INSERT INTO milestones (product_id, name, is_active, sort_key) VALUES (\(bind: productID), \(bind: name), TRUE, 0)")
    }

    public func insertComponent(
        productID: Int, name: String, description: String, assigneeID: Int, qaContactID: Int?, isActive: Bool, defaultCC: [Int]
    ) async throws -> Int {
        announce(.catalog)
        let id = try await insert(
            """
            INSERT INTO components (product_id, name, description, default_assignee_id, default_qa_contact_id, is_active, sort_key)
            VALUES (\(bind: productID), \(bind: name), \(bind: description), \(bind: assigneeID), \(bind: qaContactID), \(bind: isActive), 0)
            """)
        for userID in defaultCC {
            try await run("INSERT INTO component_cc (component_id, user_id) VALUES (\(bind: id), \(bind: userID)) ON CONFLICT DO NOTHING")
        }
        return id
    }

    /// A classification by id or name, with the ids of its products.
    public func classification(idOrName: String) async throws -> (Classification, productIDs: [Int])? {
        guard let row = try await first(
            "SELECT id, name, description, sort_key FROM classifications WHERE name = \(bind: idOrName) OR id = \(bind: Int(idOrName) ?? -1)")
        else { return nil }
        let classification = Classification(
            id: try row.int("id"), name: try row.string("name"), description: try row.string("description"), sortKey: try row.int("sort_key"))
        let productIDs = try await all("SELECT id FROM products WHERE classification_id = \(bind: classification.id) ORDER BY name").map {
            try $0.int("id")
        }
        return (classification, productIDs)
    }
}
