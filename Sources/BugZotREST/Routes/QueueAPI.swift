import BugZotDomain
import BugZotHTTP
import BugZotServices
import BugZotStorage
import BugZotWire
import Foundation
import Hummingbird

/// BugZot's own API for the job queue and webhooks (administrators, with an API key):
/// - `GET /api/jobs?state=dead` — jobs in a state, newest first, with their last error;
/// - `POST /api/jobs/{id}/retry` — a dead job queued again;
/// - `GET /api/webhooks` — the registered webhooks (without their secrets);
/// - `POST /api/webhooks` — registers one: `{"url", "secret", "events": [...], "product"?}`;
/// - `GET /api/webhooks/{id}/deliveries` — a webhook's delivery log, newest first.
public struct QueueAPI: Sendable {
    let services: AppServices

    public init(services: AppServices) {
        self.services = services
    }

    public func register(on router: Router<AppRequestContext>) {
        router.get("/api/jobs") { request, context in try await jobs(request, context) }
        router.post("/api/jobs/{id}/retry") { request, context in try await retry(request, context) }
        router.get("/api/webhooks") { request, context in try await webhooks(request, context) }
        router.post("/api/webhooks") { request, context in try await createWebhook(request, context) }
        router.get("/api/webhooks/{id}/deliveries") { request, context in try await deliveries(request, context) }
    }

    private func caller(_ request: Request, _ context: AppRequestContext) async throws -> Principal {
        try await RESTCall(request, context: context, bodyLimit: 0, auth: services.auth, loginExempt: false, readsBody: false).user()
    }

    private func id(_ context: AppRequestContext) throws -> Int {
        guard let id = context.parameters.get("id", as: Int.self) else {
            throw DomainError.notNumeric(parameter: "id", value: context.parameters.get("id") ?? "")
        }
        return id
    }

    func jobs(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try await caller(request, context)
        let name = FormEncoding.decode(request.uri.query ?? "").first { $0.0 == "state" }?.1 ?? Job.State.dead.rawValue
        guard let state = Job.State(rawValue: name) else {
            throw DomainError.invalidParameter(parameter: "state", reason: "one of queued, running, done, dead.")
        }
        let jobs = try await services.jobs.jobs(state: state, by: principal)
        return jsonResponse([
            "jobs": .array(jobs.map { job in
                [
                    "id": .int(job.id), "kind": .string(job.kind), "state": .string(job.state.rawValue), "attempts": .int(job.attempts),
                    "run_at": JSONValue(date: job.runAt), "created_at": JSONValue(date: job.createdAt), "last_error": .string(job.lastError),
                ]
            })
        ])
    }

    func retry(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await services.jobs.retry(id: try id(context), by: try await caller(request, context))
        return jsonResponse(["id": .int(try id(context)), "state": "queued"])
    }

    func webhooks(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let hooks = try await services.webhooks.webhooks(by: try await caller(request, context))
        return jsonResponse(["webhooks": .array(hooks.map(Self.present))])
    }

    func createWebhook(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let call = try await RESTCall(request, context: context, bodyLimit: 64 * 1024, auth: services.auth, loginExempt: false)
        let parameters = call.parameters
        let id = try await services.webhooks.create(
            url: try parameters.string("url") ?? "", secret: try parameters.string("secret") ?? "", product: try parameters.string("product"),
            events: Set(try parameters.strings("events")), by: try call.user())
        return jsonResponse(["id": .int(id)], status: .created)
    }

    func deliveries(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (hook, deliveries) = try await services.webhooks.deliveries(of: try id(context), by: try await caller(request, context))
        return jsonResponse([
            "webhook": Self.present(hook),
            "deliveries": .array(deliveries.map { delivery in
                [
                    "id": .int(delivery.id), "job_id": .int(delivery.jobID), "event": .string(delivery.event),
                    "attempted_at": JSONValue(date: delivery.attemptedAt), "status_code": delivery.statusCode.map(JSONValue.int) ?? .null,
                    "outcome": .string(delivery.outcome), "duration_ms": .int(delivery.durationMilliseconds),
                ]
            }),
        ])
    }

    private static func present(_ hook: Webhook) -> JSONValue {
        [
            "id": .int(hook.id), "url": .string(hook.url), "product": hook.product.map(JSONValue.string) ?? .null,
            "events": .array(hook.events.sorted().map(JSONValue.string)), "is_active": .bool(hook.isActive),
        ]
    }
}
