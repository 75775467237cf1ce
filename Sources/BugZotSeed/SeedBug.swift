import BugZotDomain

/// One generated bug with everything that hangs off it. People, products, groups and keywords are
/// positions in the `SeedCatalog`; bug ids (the bug's own, duplicates, dependencies) are real.
public struct SeedBug: Sendable, Equatable {
    public struct Comment: Sendable, Equatable {
        /// Position in the catalog's users.
        public var author: Int
        public var body: String
        public var isPrivate: Bool
        public var at: Int
    }

    /// One changed field; changes with the same `changeSet` were made together.
    public struct Change: Sendable, Equatable {
        public var changeSet: Int
        /// Position in the catalog's users.
        public var who: Int
        public var at: Int
        public var field: String
        public var removed: String
        public var added: String
    }

    public var id: Int
    /// Position in the catalog's products; `component` is a position in that product's components.
    public var product: Int
    public var component: Int
    public var version: String
    public var targetMilestone: String
    public var summary: String
    public var status: String
    /// Empty while the bug is open.
    public var resolution: String
    public var severity: String
    public var priority: String
    public var opSys: String
    public var platform: String
    public var reporter: Int
    public var assignee: Int
    public var qaContact: Int?
    public var dupeOf: Int?
    public var isConfirmed: Bool
    public var createdAt: Int
    public var lastChangeAt: Int
    /// The first is the description (comment 0).
    public var comments: [Comment]
    public var cc: [Int]
    /// Positions in the catalog's keywords.
    public var keywords: [Int]
    /// Ids of earlier bugs this one depends on.
    public var dependsOn: [Int]
    /// Positions in the catalog's groups: a bug in any is confidential.
    public var groups: [Int]
    public var history: [Change]
}

/// Generates a plan's bugs: pure data, no I/O. Bug `position` (0-based) always comes out the
/// same, whichever batch it is generated in, so batches can be made in any order or in parallel.
public struct SeedGenerator: Sendable {
    public let plan: SeedPlan
    public let catalog: SeedCatalog
    private let products: SkewedPick
    private let components: [SkewedPick]
    private let reporters: SkewedPick
    private let assignees: SkewedPick
    private let keywords: SkewedPick
    private let groups: SkewedPick
    private let openStatuses: [String]
    private let closedStatuses: [String]

    public init(plan: SeedPlan) {
        self.plan = plan
        catalog = SeedCatalog(plan: plan)
        products = SkewedPick(count: catalog.products.count, exponent: 1.1)
        components = catalog.products.map { SkewedPick(count: $0.components.count, exponent: 0.9) }
        reporters = SkewedPick(count: catalog.users.count, exponent: 0.8)
        assignees = SkewedPick(count: plan.developerCount, exponent: 1.1)
        keywords = SkewedPick(count: catalog.keywords.count, exponent: 1.0)
        groups = SkewedPick(count: catalog.groups.count, exponent: 1.0)
        openStatuses = plan.workflow.statuses.filter(\.isOpen).map(\.name)
        closedStatuses = plan.workflow.statuses.filter { !$0.isOpen }.map(\.name)
    }

    /// The bugs at `positions`, numbered `firstBugID + position`.
    public func bugs(_ positions: Range<Int>, firstBugID: Int) -> [SeedBug] {
        positions.map { bug(at: $0, firstBugID: firstBugID) }
    }

    /// Comments per bug: most have a handful, a few hundreds (about 5 on average).
    private func commentCount(_ random: inout SeedRandom) -> Int {
        if random.chance(0.002) { return random.within(100...500) }
        var count = 1
        while count < 60 && random.chance(0.78) { count += 1 }
        return count
    }

    private func bug(at position: Int, firstBugID: Int) -> SeedBug {
        var random = SeedRandom(seed: plan.randomSeed, stream: UInt64(position))
        let id = firstBugID + position
        let total = max(1, plan.bugs)
        let age = Double(position) / Double(total)  // 0: the oldest, 1: the newest
        // Creation times follow the ids, denser towards the end (the tracker grows).
        let span = Double(plan.endTime - plan.startTime)
        let createdAt = plan.startTime + Int(span * age.squareRoot()) + random.below(3_600)
        let productIndex = products.pick(&random)
        let product = catalog.products[productIndex]
        let componentIndex = components[productIndex].pick(&random)
        let component = product.components[componentIndex]
        let reporter = reporters.pick(&random)
        let assignee = random.chance(0.4) ? component.defaultAssignee : assignees.pick(&random)
        let isClosed = !closedStatuses.isEmpty && random.chance(0.9 - 0.45 * pow6(age))
        let status = isClosed ? random.pick(closedStatuses) : pickOpen(&random)
        var resolution = ""
        var dupeOf: Int?
        if isClosed {
            resolution = pickResolution(&random)
            if resolution == plan.workflow.duplicateResolution {
                if position > 0 { dupeOf = firstBugID + random.below(position) } else { resolution = plan.workflow.resolutions.first ?? "" }
            }
        }
        // Closed bugs were last touched days to months after filing; open ones mostly lately.
        let lifetime = isClosed ? Int(Double(86_400 * 200) * random.unit() * random.unit()) + 600 : random.below(86_400 * 400) + 600
        let lastChangeAt = min(plan.endTime, max(createdAt + 60, isClosed ? createdAt + lifetime : plan.endTime - random.below(lifetime)))

        var cc: [Int] = []
        if random.chance(0.6) {
            for _ in 0..<random.within(1...6) {
                let user = reporters.pick(&random)
                if user != reporter && !cc.contains(user) { cc.append(user) }
            }
        }
        let commentTotal = commentCount(&random)
        var comments: [SeedBug.Comment] = []
        comments.reserveCapacity(commentTotal)
        comments.append(.init(author: reporter, body: description(&random), isPrivate: false, at: createdAt))
        let window = lastChangeAt - createdAt
        var times = (1..<max(1, commentTotal)).map { _ in createdAt + 1 + random.below(max(1, window)) }
        times.sort()
        if isClosed, !times.isEmpty { times[times.count - 1] = lastChangeAt }
        for at in times {
            let roll = random.unit()
            let author = roll < 0.4 ? assignee : roll < 0.6 ? reporter : (cc.isEmpty ? reporters.pick(&random) : random.pick(cc))
            comments.append(.init(author: author, body: commentBody(&random), isPrivate: random.chance(0.02), at: at))
        }
        var keywordList: [Int] = []
        if random.chance(0.3) {
            for _ in 0..<random.within(1...3) {
                let keyword = keywords.pick(&random)
                if !keywordList.contains(keyword) { keywordList.append(keyword) }
            }
        }
        var dependsOn: [Int] = []
        if position > 0, random.chance(0.06) {
            for _ in 0..<random.within(1...2) {
                let other = firstBugID + max(0, position - 1 - random.below(min(position, 5_000)))
                if other != id && !dependsOn.contains(other) { dependsOn.append(other) }
            }
        }
        let bugGroups = random.chance(0.03) ? [groups.pick(&random)] : []

        // The history: the assignment, CCs and keywords added, then the resolution.
        var history: [SeedBug.Change] = []
        var changeSet = 0
        func change(_ who: Int, _ at: Int, _ fields: [(String, String, String)]) {
            changeSet += 1
            for (field, removed, added) in fields {
                history.append(.init(changeSet: changeSet, who: who, at: at, field: field, removed: removed, added: added))
            }
        }
        let firstStatus = plan.workflow.defaultStatus
        let middle = createdAt + window / 3
        if let taken = plan.workflow.takenStatus, taken != firstStatus, isClosed || status == taken {
            change(assignee, middle, [("status", firstStatus, taken), ("assigned_to", component.defaultAssigneeLogin(catalog), catalog.users[assignee].login)])
        }
        for user in cc { change(user, createdAt + random.below(max(1, window)), [("cc", "", catalog.users[user].login)]) }
        if !keywordList.isEmpty {
            change(assignee, middle, [("keywords", "", keywordList.map { catalog.keywords[$0] }.joined(separator: ", "))])
        }
        if isClosed {
            var fields = [("status", plan.workflow.takenStatus ?? firstStatus, status), ("resolution", "", resolution)]
            if let dupeOf { fields.append(("dupe_of", "", String(dupeOf))) }
            change(assignee, lastChangeAt, fields)
        } else if status != firstStatus && status != plan.workflow.takenStatus {
            change(assignee, lastChangeAt, [("status", firstStatus, status)])
        }
        history.sort { ($0.at, $0.changeSet) < ($1.at, $1.changeSet) }

        return SeedBug(
            id: id, product: productIndex, component: componentIndex,
            version: product.versions[min(product.versions.count - 1, Int(age * Double(product.versions.count)))],
            targetMilestone: random.chance(0.7) ? product.milestones[0] : random.pick(product.milestones),
            summary: summary(&random, component: component.name),
            status: status, resolution: resolution,
            severity: pickWeighted(&random, plan.fields.values(of: .severity), favoured: "normal"),
            priority: pickWeighted(&random, plan.fields.values(of: .priority), favoured: "---"),
            opSys: random.pick(plan.fields.values(of: .opSys)), platform: random.pick(plan.fields.values(of: .platform)),
            reporter: reporter, assignee: assignee, qaContact: component.defaultQAContact, dupeOf: dupeOf,
            isConfirmed: status != plan.workflow.unconfirmedStatus,
            createdAt: createdAt, lastChangeAt: lastChangeAt, comments: comments, cc: cc, keywords: keywordList,
            dependsOn: dependsOn, groups: bugGroups, history: history)
    }

    private func pickOpen(_ random: inout SeedRandom) -> String {
        // The default status most often, then the others in turn.
        if random.chance(0.5) || openStatuses.count < 2 { return plan.workflow.defaultStatus }
        return random.pick(openStatuses)
    }

    private func pickResolution(_ random: inout SeedRandom) -> String {
        let resolutions = plan.workflow.resolutions
        guard let first = resolutions.first else { return "" }
        return random.chance(0.55) ? first : random.pick(resolutions)
    }

    /// `favoured` half the time (when the catalog has it), otherwise any value.
    private func pickWeighted(_ random: inout SeedRandom, _ values: [String], favoured: String) -> String {
        if values.contains(favoured), random.chance(0.5) { return favoured }
        return values.isEmpty ? favoured : random.pick(values)
    }

    private func summary(_ random: inout SeedRandom, component: String) -> String {
        "\(component): \(random.pick(SeedWords.nouns)) \(random.pick(SeedWords.verbs)) \(random.pick(SeedWords.situations))"
    }

    private func description(_ random: inout SeedRandom) -> String {
        (0..<random.within(2...5)).map { _ in random.pick(SeedWords.sentences) }.joined(separator: "\n\n")
    }

    private func commentBody(_ random: inout SeedRandom) -> String {
        (0..<random.within(1...3)).map { _ in random.pick(SeedWords.sentences) }.joined(separator: " ")
    }
}

private func pow6(_ x: Double) -> Double {
    let square = x * x
    return square * square * square
}

extension SeedCatalog.Component {
    fileprivate func defaultAssigneeLogin(_ catalog: SeedCatalog) -> String {
        catalog.users[defaultAssignee].login
    }
}
