import BugZotDomain
import BugZotStorage

extension SQLStore {
    /// Product "P" with version "1" and component "C" assigned to `assignee`: the least a bug
    /// written straight through the store needs.
    func insertMinimalProduct(assignee: UserSummary) async throws {
        let product = try await insertProduct(
            name: "P", description: "d", classificationID: 1, isActive: true, defaultMilestone: "---", allowsUnconfirmed: false)
        _ = try await insertVersion(productID: product, name: "1")
        _ = try await insertComponent(
            productID: product, name: "C", description: "d", assigneeID: assignee.id, qaContactID: nil, isActive: true, defaultCC: [])
    }
}
