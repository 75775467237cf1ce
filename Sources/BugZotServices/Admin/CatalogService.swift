import BugZotDomain
import BugZotStorage
import Foundation

/// Products, components, classifications, groups, and the workflow: what bugs are filed against.
/// Reads come from the in-memory `CatalogSnapshot`; changes are checked against the database in
/// their transaction.
public struct CatalogService: Sendable {
    let database: any Database
    let snapshots: CatalogSnapshots

    public init(database: any Database, snapshots: CatalogSnapshots) {
        self.database = database
        self.snapshots = snapshots
    }

    // MARK: Products

    /// Ids of the products someone may search in, file in, or pick from.
    public func productIDs(enterableOnly: Bool) async throws -> [Int] {
        let products = try await snapshots.current().products
        return (enterableOnly ? products.filter(\.isActive) : products).map(\.id)
    }

    /// Products by ids or names; unknown ones are left out.
    public func products(ids: [Int], names: [String]) async throws -> [Product] {
        try InputRules.check(names, as: .product, parameter: "names")
        return try await snapshots.current().products(ids: ids, names: names)
    }

    public func product(named name: String) async throws -> Product? {
        try InputRules.check(name, as: .product)
        return try await snapshots.current().product(named: name)
    }

    public struct NewProduct: Sendable {
        public var name: String
        public var description: String
        public var version: String
        public var classification: String?
        public var defaultMilestone: String?
        public var isActive: Bool
        public var allowsUnconfirmed: Bool

        public init(
            name: String, description: String, version: String, classification: String? = nil,
            defaultMilestone: String? = nil, isActive: Bool = true, allowsUnconfirmed: Bool = true
        ) {
            self.name = name
            self.description = description
            self.version = version
            self.classification = classification
            self.defaultMilestone = defaultMilestone
            self.isActive = isActive
            self.allowsUnconfirmed = allowsUnconfirmed
        }
    }

    public func createProduct(_ new: NewProduct, by principal: Principal) async throws -> Int {
        try principal.require(.editcomponents, action: "create products")
        try InputRules.check(new.name, as: .product, parameter: "name")
        try InputRules.check(new.description, as: .productDescription)
        try InputRules.check(new.version, as: .version)
        if let classification = new.classification { try InputRules.check(classification, as: .classification) }
        if let milestone = new.defaultMilestone { try InputRules.check(milestone, as: .targetMilestone, parameter: "default_milestone") }
        let name = new.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw DomainError.productNameRequired }
        guard !new.description.trimmingCharacters(in: .whitespaces).isEmpty else { throw DomainError.productDescriptionRequired }
        let version = new.version.trimmingCharacters(in: .whitespaces)
        guard !version.isEmpty else { throw DomainError.productVersionRequired }
        let milestone = new.defaultMilestone ?? "---"
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            guard try await store.product(name: name) == nil else { throw DomainError.productExists(name) }
            let classificationName = new.classification ?? "Unclassified"
            guard let (classification, _) = try await store.classification(idOrName: classificationName) else {
                throw DomainError.objectNotFound(kind: "classification", name: classificationName)
            }
            let id = try await store.insertProduct(
                name: name, description: new.description, classificationID: classification.id, isActive: new.isActive,
                defaultMilestone: milestone, allowsUnconfirmed: new.allowsUnconfirmed)
            _ = try await store.insertVersion(productID: id, name: version)
            _ = try await store.insertMilestone(productID: id, name: milestone)
            return id
        }
    }

    public struct NewComponent: Sendable {
        public var product: String
        public var name: String
        public var description: String
        public var defaultAssignee: String
        public var defaultQAContact: String?
        public var defaultCC: [String]
        public var isActive: Bool

        public init(
            product: String, name: String, description: String, defaultAssignee: String,
            defaultQAContact: String? = nil, defaultCC: [String] = [], isActive: Bool = true
        ) {
            self.product = product
            self.name = name
            self.description = description
            self.defaultAssignee = defaultAssignee
            self.defaultQAContact = defaultQAContact
            self.defaultCC = defaultCC
            self.isActive = isActive
        }
    }

    public func createComponent(_ new: NewComponent, by principal: Principal) async throws -> Int {
        try principal.require(.editcomponents, action: "create components")
        try InputRules.check(new.product, as: .product)
        try InputRules.check(new.name, as: .component, parameter: "name")
        try InputRules.check(new.description, as: .componentDescription)
        try InputRules.check([new.defaultAssignee] + (new.defaultQAContact.map { [$0] } ?? []) + new.defaultCC, as: .login)
        let name = new.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw DomainError.componentNameRequired }
        guard !new.description.trimmingCharacters(in: .whitespaces).isEmpty else { throw DomainError.componentDescriptionRequired }
        guard !new.defaultAssignee.isEmpty else { throw DomainError.componentAssigneeRequired }
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            guard let product = try await store.product(name: new.product) else {
                throw DomainError.objectNotFound(kind: "product", name: new.product)
            }
            guard product.component(named: name) == nil else { throw DomainError.componentExists(component: name, product: product.name) }
            let people = [new.defaultAssignee] + (new.defaultQAContact.map { [$0] } ?? []) + new.defaultCC
            let users = try await store.userSummaries(logins: people)
            if let missing = people.first(where: { users[$0.lowercased()] == nil }) {
                throw DomainError.objectNotFound(kind: "user", name: missing)
            }
            return try await store.insertComponent(
                productID: product.id, name: name, description: new.description,
                assigneeID: users[new.defaultAssignee.lowercased()]!.id,
                qaContactID: new.defaultQAContact.flatMap { users[$0.lowercased()]?.id }, isActive: new.isActive,
                defaultCC: new.defaultCC.compactMap { users[$0.lowercased()]?.id })
        }
    }

    /// A product's version or milestone: what a bug is found in or targeted at.
    public enum ProductValueKind: String, Sendable {
        case version, milestone
    }

    /// Adds a version or milestone to a product.
    public func addValue(_ kind: ProductValueKind, named name: String, to productName: String, by principal: Principal) async throws -> Int {
        try principal.require(.editcomponents, action: "edit products")
        try InputRules.check(name, as: kind == .version ? .version : .targetMilestone, parameter: kind.rawValue)
        try InputRules.check(productName, as: .product)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw DomainError.valueNameRequired(kind: kind.rawValue) }
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            guard let product = try await store.product(name: productName) else {
                throw DomainError.objectNotFound(kind: "product", name: productName)
            }
            let existing = kind == .version ? product.versions : product.milestones
            guard !existing.contains(where: { $0.name == name }) else {
                throw DomainError.valueExists(kind: kind.rawValue, name: name, product: product.name)
            }
            return kind == .version
                ? try await store.insertVersion(productID: product.id, name: name)
                : try await store.insertMilestone(productID: product.id, name: name)
        }
    }

    public func classification(idOrName: String) async throws -> (Classification, [Product])? {
        try InputRules.check(idOrName, as: .classification, parameter: "names")
        return try await database.read { sql in
            let store = SQLStore(sql)
            guard let (classification, productIDs) = try await store.classification(idOrName: idOrName) else { return nil }
            return (classification, try await store.products(ids: productIDs))
        }
    }

    // MARK: Groups

    /// Groups by ids or names (all when neither is given), with members when asked.
    public func groups(ids: [Int], names: [String], withMembers: Bool, by principal: Principal) async throws -> [(Group, [UserSummary]?)] {
        _ = try principal.requireUser()
        guard principal.has(.editusers) || principal.has(.creategroups) else { throw DomainError.groupAccessDenied }
        try InputRules.check(names, as: .group, parameter: "names")
        return try await database.read { sql in
            let store = SQLStore(sql)
            let groups = ids.isEmpty && names.isEmpty ? try await store.groups() : try await store.groups(ids: ids, names: names)
            var result: [(Group, [UserSummary]?)] = []
            for group in groups {
                result.append((group, withMembers ? try await store.members(ofGroup: group.id) : nil))
            }
            return result
        }
    }

    /// The bug groups someone may restrict a bug to: those they belong to.
    public func bugGroups(for principal: Principal) async throws -> [String] {
        guard !principal.isAnonymous else { return [] }
        return try await snapshots.current().bugGroups.filter(principal.isMember).sorted()
    }

    public func createGroup(name: String, description: String, isActive: Bool, by principal: Principal) async throws -> Int {
        try principal.require(.creategroups, action: "create groups")
        try InputRules.check(name, as: .group, parameter: "name")
        try InputRules.check(description, as: .groupDescription)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw DomainError.groupNameRequired }
        guard !description.trimmingCharacters(in: .whitespaces).isEmpty else { throw DomainError.groupDescriptionRequired }
        return try await database.transaction { sql in
            let store = SQLStore(sql)
            guard try await store.group(name: name) == nil else { throw DomainError.groupExists(name) }
            return try await store.insertGroup(name: name, description: description, isActive: isActive, isBugGroup: true)
        }
    }

    // MARK: Fields and workflow

    /// Everything /rest/field/bug describes.
    public struct FieldData: Sendable {
        public let workflow: Workflow
        public let catalog: FieldCatalog
        public let keywordDescriptions: [(name: String, description: String)]
        public let products: [Product]
    }

    public func fieldData() async throws -> FieldData {
        let snapshot = try await snapshots.current()
        return FieldData(
            workflow: snapshot.workflow, catalog: snapshot.fields, keywordDescriptions: snapshot.keywordDescriptions, products: snapshot.products)
    }

    /// The workflow.
    public func workflow() async throws -> Workflow {
        try await snapshots.current().workflow
    }

    /// Switches the installation to a workflow, for an administrator.
    public func useWorkflow(_ workflow: Workflow, by principal: Principal) async throws {
        try principal.require(.admin, action: "change the workflow")
        try await useWorkflow(workflow)
    }

    /// Switches the installation to a workflow, refusing if bugs sit in statuses it lacks. No
    /// permission check: for the command line, which runs as the operator.
    public func useWorkflow(_ workflow: Workflow) async throws {
        try await database.transaction { sql in
            let store = SQLStore(sql)
            let stranded = try await store.statusesInUse(missingFrom: workflow)
            guard stranded.isEmpty else {
                throw DomainError.invalidParameter(
                    parameter: "workflow", reason: "bugs use statuses it lacks: \(stranded.joined(separator: ", ")).")
            }
            try await store.replaceWorkflow(with: workflow)
        }
    }
}
