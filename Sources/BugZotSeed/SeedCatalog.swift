import BugZotDomain

/// The products, people, groups and keywords the generated bugs refer to (by position in these
/// arrays). Names are stable for a plan, so a second run can find what the first made.
public struct SeedCatalog: Sendable, Equatable {
    /// A person; `groups` names the groups they belong to (system groups and seeded bug groups).
    public struct User: Sendable, Equatable {
        public var login: String
        public var realName: String
        public var groups: [String]
    }

    /// A group that bugs can be restricted to (confidential bugs).
    public struct Group: Sendable, Equatable {
        public var name: String
        public var description: String
    }

    public struct Component: Sendable, Equatable {
        public var name: String
        public var description: String
        /// Position in `users`.
        public var defaultAssignee: Int
        /// Position in `users`.
        public var defaultQAContact: Int?
    }

    public struct Product: Sendable, Equatable {
        public var name: String
        public var description: String
        public var components: [Component]
        public var versions: [String]
        /// The first is the default milestone.
        public var milestones: [String]
    }

    public var users: [User]
    public var groups: [Group]
    public var products: [Product]
    public var keywords: [String]

    /// The catalog of `plan`: the same plan always gives the same catalog.
    public init(plan: SeedPlan) {
        var random = SeedRandom(seed: plan.randomSeed, stream: UInt64.max)
        let developers = plan.developerCount
        var seenLogins = Set<String>()
        users = (0..<plan.userCount).map { index in
            let first = random.pick(SeedWords.firstNames)
            let last = random.pick(SeedWords.lastNames)
            var login = "\(first).\(last)@\(random.pick(SeedWords.domains))".lowercased()
            if !seenLogins.insert(login).inserted {
                login = "\(first).\(last).\(index)@\(SeedWords.domains[0])".lowercased()
                seenLogins.insert(login)
            }
            var groups: [String] = []
            if index < developers { groups += [SystemGroup.editbugs.rawValue, SystemGroup.canconfirm.rawValue] }
            if index < max(2, plan.userCount / 50) { groups.append(SystemGroup.insider.rawValue) }
            return User(login: login, realName: "\(first) \(last)", groups: groups)
        }
        groups = SeedWords.bugGroups.map { Group(name: $0.name, description: $0.description) }
        // Each bug group has a few members: some developers and, for partner groups, some others.
        for (position, group) in groups.enumerated() {
            let members = max(2, plan.userCount / (position == 0 ? 20 : 40))
            for _ in 0..<members {
                let user = position == 0 ? random.below(developers) : random.below(plan.userCount)
                if !users[user].groups.contains(group.name) { users[user].groups.append(group.name) }
            }
        }
        var productNames = SeedWords.products
        while productNames.count < plan.productCount { productNames.append("Product \(productNames.count + 1)") }
        products = productNames.prefix(plan.productCount).map { name in
            let componentCount = random.within(4...SeedWords.components.count)
            let components = SeedWords.components.prefix(componentCount).map { component in
                Component(
                    name: component, description: "The \(component.lowercased()) of \(name).",
                    defaultAssignee: random.below(developers),
                    defaultQAContact: random.chance(0.5) ? random.below(developers) : nil)
            }
            let versionCount = random.within(3...10)
            return Product(
                name: name, description: "\(name): \(random.pick(SeedWords.nouns)) and \(random.pick(SeedWords.nouns)).",
                components: components,
                versions: (1...versionCount).map { "\($0).0" },
                milestones: ["---"] + (1...random.within(3...8)).map { "M\($0)" })
        }
        keywords = SeedWords.keywords
    }
}
