import BugZotDomain
import BugZotServices
import BugZotStorage
import BugZotWAMP
import BugZotWire
import Logging
import NIOWebSocket
import ServiceLifecycle
import Synchronization

/// What the router's service loop hears.
enum RouterNotice: Sendable {
    /// An event committed.
    case committed(sequence: Int)
    /// These people's accounts changed (nil: anyone's may have): their sessions' credentials
    /// are checked again.
    case people(Set<Int>?)
}

/// A principal as a dictionary key: sessions of one person with one set of groups see alike.
struct PrincipalKey: Hashable, Sendable {
    let userID: Int?
    let groups: Set<String>

    init(_ principal: Principal) {
        userID = principal.user?.id
        groups = principal.groups
    }
}

extension WAMPRouter: Service {
    /// Delivers committed events to subscribers, and checks sessions' credentials again when
    /// their accounts change, until shutdown.
    public func run() async throws {
        let (notices, continuation) = AsyncStream.makeStream(of: RouterNotice.self, bufferingPolicy: .bufferingNewest(100_000))
        services.events.observe { notice in
            if case .committed(let sequence) = notice { _ = continuation.yield(.committed(sequence: sequence)) }
        }
        services.database.changes.observe { notice in
            switch notice {
            case .reset: _ = continuation.yield(.people(nil))
            case .changed(let changes):
                if changes.contains(.everyone) { return _ = continuation.yield(.people(nil)) }
                let people = Set(changes.compactMap { change -> Int? in if case .user(let id) = change { id } else { nil } })
                if !people.isEmpty { _ = continuation.yield(.people(people)) }
            }
        }
        for await notice in notices.cancelOnGracefulShutdown() {
            switch notice {
            case .committed(let sequence): await deliver(sequence: sequence)
            case .people(let people): await recheck(people)
            }
        }
    }

    /// Sends one event's news to every subscribed session that may see it, cut to its view:
    /// the news is read once for all the distinct principals of sessions that subscribe.
    func deliver(sequence: Int) async {
        let audience: (principals: [Principal], sessions: [UInt64: Int]) = state.withLock { state in
            var index: [PrincipalKey: Int] = [:]
            var principals: [Principal] = []
            var sessions: [UInt64: Int] = [:]
            for (id, member) in state.members where !state.topics.subscriptions(of: id).isEmpty {
                let key = PrincipalKey(member.identity.principal)
                let position = index[key] ?? {
                    principals.append(member.identity.principal)
                    index[key] = principals.count - 1
                    return principals.count - 1
                }()
                sessions[id] = position
            }
            return (principals, sessions)
        }
        guard !audience.principals.isEmpty else { return }
        do {
            let news = try await services.events.news(ofSequence: sequence, for: audience.principals)
            let workflow = try await services.catalog.workflow()
            for kind in BugNews.Kind.allCases {
                var payloads: [(arguments: [JSONValue]?, argumentsKw: JSONObject?)] = []
                var variantOf: [Int: Int] = [:]  // principal → payload
                var topics: [String] = []
                for (principal, items) in news.enumerated() {
                    guard let item = items.first(where: { $0.kind == kind }) else { continue }
                    if topics.isEmpty { topics = BugNewsTopics.topics(of: item) }
                    variantOf[principal] = payloads.count
                    payloads.append(([BugNewsTopics.payload(item, workflow: workflow, viewer: audience.principals[principal])], nil))
                }
                guard !payloads.isEmpty else { continue }
                deliver(publication: WAMPID.random(), topics: topics, excluding: nil, payloads: payloads) { session in
                    audience.sessions[session].flatMap { variantOf[$0] }
                }
            }
        } catch {
            logger.warning("could not deliver an event", metadata: ["sequence": "\(sequence)", "error": "\(error)"])
        }
    }

    /// Checks the credentials of the sessions of `people` (nil: every signed-in session) again:
    /// a session whose credential no longer signs anyone in is ended, the others see as the
    /// person's account now allows.
    func recheck(_ people: Set<Int>?) async {
        let affected: [(UInt64, SessionIdentity, String)] = state.withLock { state in
            state.members.compactMap { id, member in
                guard let user = member.identity.principal.user, people?.contains(user.id) ?? true else { return nil }
                return (id, member.identity, member.clientAddress)
            }
        }
        for (id, identity, clientAddress) in affected {
            let principal: Principal?
            do {
                principal = try await authenticator.recheck(identity, clientAddress: clientAddress)
            } catch {
                continue  // can't tell now; the next change or reset asks again
            }
            let outbound: Outbound? = state.withLock { state in
                guard state.members[id] != nil else { return nil }
                if let principal, principal.user?.id == identity.principal.user?.id {
                    state.members[id]?.identity.principal = principal
                    return nil
                }
                return state.members[id]?.outbound
            }
            outbound?.close(
                code: .policyViolation, reason: "credentials changed",
                last: .goodbye(details: ["message": "the credentials of this session no longer sign anyone in"], reason: "bugzot.close.credentials_changed"))
        }
    }
}
