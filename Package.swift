// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Products several targets use, named once.
extension Target.Dependency {
    static let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
    static let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
    static let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
    static let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
    static let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
    static let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
    static let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
    static let sqlKit: Target.Dependency = .product(name: "SQLKit", package: "sql-kit")
    static let webSocket: Target.Dependency = .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket")
}

let package = Package(
    name: "bugzot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bugzot", targets: ["bugzot"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Domain rules: entities, workflow, permissions, visibility. No I/O.
        .target(
            name: "BugZotDomain",
            swiftSettings: swiftSettings
        ),
        // Generated demonstration and benchmark data (`bugzot seed`): pure data, no I/O.
        .target(
            name: "BugZotSeed",
            dependencies: ["BugZotDomain"],
            swiftSettings: swiftSettings
        ),
        // Storage: the SQL schema, migrations and repositories over SQLite and PostgreSQL.
        .target(
            name: "BugZotStorage",
            dependencies: [
                "BugZotDomain",
                "BugZotSeed",  // the bulk loader writes generated data
                .sqlKit,
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .nioPosix,
                .nioCore,
                .crypto,
                .logging,
                .serviceLifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        // Application services: use cases that combine domain rules with storage.
        .target(
            name: "BugZotServices",
            dependencies: [
                "BugZotDomain",
                "BugZotStorage",
                .crypto,
                .product(name: "_CryptoExtras", package: "swift-crypto"),  // PBKDF2 for WAMP-CRA keys
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .nioPosix,
                .nioCore,
                .logging,
                .serviceLifecycle,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every HTTP adapter shares: the request context, request logging and statement counting, multipart streaming.
        .target(
            name: "BugZotHTTP",
            dependencies: [
                "BugZotStorage",  // the per-request statement counter
                .hummingbird,
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .webSocket,  // the guarded channel upgrades /ws
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .httpTypes,
                .nioCore,
                .logging,
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Bugzilla wire format every API shares (REST, WAMP): JSON values, parameters, presenters,
        // error codes, and the bug operations both call.
        .target(
            name: "BugZotWire",
            dependencies: ["BugZotDomain", "BugZotStorage", "BugZotServices", .nioCore],
            swiftSettings: swiftSettings
        ),
        // The WAMP v2 protocol, pure: messages, serializers, URI and id rules, session state, registries.
        .target(
            name: "BugZotWAMP",
            dependencies: ["BugZotWire", .nioCore],
            swiftSettings: swiftSettings
        ),
        // The WAMP v2 router at /ws: transport, sessions, auth, routing, procedures, event delivery.
        .target(
            name: "BugZotRealtime",
            dependencies: [
                "BugZotDomain",
                "BugZotStorage",
                "BugZotServices",
                "BugZotWire",
                "BugZotWAMP",
                "BugZotHTTP",
                .hummingbird,
                .webSocket,
                .httpTypes,
                .nioCore,
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .logging,
                .serviceLifecycle,
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP adapter: the Bugzilla 5 REST dialect under /rest.
        .target(
            name: "BugZotREST",
            dependencies: [
                "BugZotDomain",
                "BugZotWire",
                "BugZotStorage",
                "BugZotServices",
                "BugZotHTTP",
                .hummingbird,
                .httpTypes,
                .nioCore,
                .logging,
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP adapter: the server-rendered web UI.
        .target(
            name: "BugZotWeb",
            dependencies: [
                "BugZotDomain",
                "BugZotStorage",
                "BugZotServices",
                "BugZotHTTP",
                .hummingbird,
                .product(name: "Mustache", package: "swift-mustache"),
                .crypto,
                .product(name: "CompressNIO", package: "compress-nio"),
                .nioCore,
                .logging,
            ],
            resources: [.copy("Templates"), .copy("Static")],
            swiftSettings: swiftSettings
        ),
        // Mail adapter: an SMTP client on SwiftNIO and RFC 5322 messages.
        .target(
            name: "BugZotMail",
            dependencies: [
                .nioCore,
                .nioPosix,
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .logging,
            ],
            swiftSettings: swiftSettings
        ),
        // Composition root: configuration and the application's service group.
        .target(
            name: "BugZotApp",
            dependencies: [
                "BugZotDomain",
                "BugZotStorage",
                "BugZotServices",
                "BugZotHTTP",
                "BugZotREST",
                "BugZotWeb",
                "BugZotMail",
                "BugZotRealtime",
                "BugZotWire",
                .hummingbird,
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .logging,
                .serviceLifecycle,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bugzot",
            dependencies: [
                "BugZotApp",
                "BugZotRealtime",
                "BugZotSeed",
                "BugZotServices",
                "BugZotStorage",
                "BugZotDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .logging,
                .serviceLifecycle,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BugZotDomainTests",
            dependencies: ["BugZotDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BugZotMailTests",
            dependencies: [
                "BugZotMail",
                .nioCore,
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .nioPosix,
                .logging,
            ],
            exclude: ["smtp_server.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BugZotWAMPTests",
            dependencies: ["BugZotWAMP", "BugZotWire", .nioCore],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BugZotWebTests",
            dependencies: ["BugZotWeb", "BugZotDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BugZotAPITests",
            dependencies: [
                "BugZotApp",
                "BugZotSeed",
                "BugZotDomain",
                "BugZotServices",
                "BugZotStorage",
                "BugZotHTTP",
                "BugZotREST",
                "BugZotWeb",
                "BugZotWire",
                .hummingbird,
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .logging,
                .sqlKit,
                .httpTypes,
                .nioCore,
                .serviceLifecycle,
                "BugZotWAMP",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
