import BugZotDomain

/// What `bugzot seed` makes: how many bugs, from which random seed, up to which time, and the
/// installation's workflow and field values the bugs must use.
public struct SeedPlan: Sendable {
    /// How many bugs to generate.
    public var bugs: Int
    /// The same seed (and plan) always gives the same data.
    public var randomSeed: UInt64
    /// Unix seconds of the latest activity; bugs are spread over `years` before it.
    public var endTime: Int
    public var years: Int
    public var workflow: Workflow
    public var fields: FieldCatalog

    public init(bugs: Int, randomSeed: UInt64, endTime: Int, years: Int = 8, workflow: Workflow = .classic, fields: FieldCatalog = .standard) {
        self.bugs = bugs
        self.randomSeed = randomSeed
        self.endTime = endTime
        self.years = years
        self.workflow = workflow
        self.fields = fields
    }

    /// One person for every 50 bugs (at least 40, at most 20,000).
    var userCount: Int { min(20_000, max(40, bugs / 50)) }
    /// Three products, and one more per 10,000 bugs up to 40.
    var productCount: Int { min(40, 3 + bugs / 10_000) }
    /// The first tenth of the people (at least 10) are developers: they get the assignments.
    var developerCount: Int { max(10, userCount / 10) }
    /// Unix seconds of the first bug.
    public var startTime: Int { endTime - years * 365 * 86_400 }
}
