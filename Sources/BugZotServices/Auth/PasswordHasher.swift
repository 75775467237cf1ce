import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on the thread pool so a slow hash never blocks an event loop.
public struct PasswordHasher: Sendable {
    /// bcrypt's cost: each step doubles the work. 10 takes tens of milliseconds.
    public let cost: UInt8

    public init(cost: UInt8 = 10) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
