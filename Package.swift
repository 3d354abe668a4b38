// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let packageDirectory = String(#filePath[..<(#filePath.lastIndex(of: "/") ?? #filePath.endIndex)])

/// The shipped binary's memory (docs/performance.md): lld packs its ~156,000 relative
/// relocations (RELR: 30 KB instead of 3.6 MB read at every start), and no dynamic symbol
/// table of every Swift symbol (`-static-stdlib` exports them all; nothing looks them up).
///
/// And the code the controller runs laid out together, in the order of hack/airlock.order
/// (hack/order-file.sh writes it): the kernel maps 64 KB around each page of code touched, and
/// scattered, that code kept 26 MB of the 35 MB resident. Fully with every function in a section
/// of its own, as hack/release-build.sh compiles (names no longer there are skipped).
let releaseLinkerFlags = [
    "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "--symbol-ordering-file=\(packageDirectory)/hack/airlock.order",
    "-Xlinker", "--no-warn-symbol-ordering",
]

let package = Package(
    name: "airlock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "airlock", targets: ["airlock"]),
        .executable(name: "airlock-bench", targets: ["AirlockBench"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    ],
    targets: [
        // Pure Kubernetes types: no I/O.
        .target(name: "KubeCore", swiftSettings: strict),
        // HTTP transport, configuration, auth, errors, rate limit.
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // glibc's malloc controls (<malloc.h>), for KubeRuntime's MallocArenas.
        .target(name: "CAirlockMalloc"),
        // The Swift runtime's global-executor hook, for KubeRuntime's EventLoopExecutor.
        .target(name: "CAirlockExecutor"),
        // Watcher, store, work queue, controller, leader election, events, finalizers.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeClient", "CAirlockMalloc", "CAirlockExecutor",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Airlock's custom resources and their CRD schemas.
        .target(
            name: "AirlockAPI", dependencies: ["KubeCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // Self-signed CA and serving certificates (test control plane, admission webhook TLS).
        .target(
            name: "KubeTLS",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        // Real etcd + kube-apiserver for tests and the demo.
        .target(
            name: "KubeTesting",
            dependencies: [
                "KubeClient", "AirlockAPI", "KubeTLS",
                .product(name: "Logging", package: "swift-log"),
                // FakeSlackServer: serves Slack's Web API, signs and posts interactions.
                // FakeTeamsServer: token service, OpenID metadata + JWKS, Bot Connector; mints
                // RS256-signed invokes.
                .product(name: "Hummingbird", package: "hummingbird"),
                // TCPProxy: cuts connections to the API server at will.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Pure policy evaluation: request + policies + guardrails -> decision.
        .target(name: "AirlockPolicy", dependencies: ["AirlockAPI", "KubeCore"], swiftSettings: strict),
        // Reconcilers, grant planner, expiry sweeper, review processing, audit log.
        .target(
            name: "AirlockController",
            dependencies: [
                "KubeCore", "KubeClient", "KubeRuntime", "AirlockAPI", "AirlockPolicy", "AirlockIdentity",
                "AirlockChat",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Identity signing shared by the admission webhook and the controller: HMAC over the
        // stamped requester/reviewer and the request content, and the signing-key Secret.
        .target(
            name: "AirlockIdentity",
            dependencies: [
                "AirlockAPI", "KubeCore", "KubeClient",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Admission webhook: identity stamping, validation, immutability, HTTPS with TLS bootstrap.
        .target(
            name: "AirlockAdmission",
            dependencies: [
                "AirlockIdentity", "AirlockAPI", "KubeCore", "KubeClient", "KubeTLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Chat and event channels: Slack approval cards, signed interactions and user mapping;
        // Teams Adaptive Cards, Bot Framework JWTs (RS256) and the Bot Connector; CloudEvents
        // webhooks signed the Standard Webhooks way. Pure where possible.
        .target(
            name: "AirlockChat",
            dependencies: [
                "AirlockAPI", "KubeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The CLI's pure parts: the `--allow` grammar, the wait state machine, exit codes and
        // rendering of requests for people and scripts. No I/O.
        .target(name: "AirlockCLI", dependencies: ["AirlockAPI", "KubeCore"], swiftSettings: strict),
        // HTTP endpoints: metrics and probes; the Slack interactivity endpoint.
        .target(
            name: "AirlockServer",
            dependencies: [
                "KubeRuntime", "AirlockChat",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "airlock",
            dependencies: [
                "KubeClient", "KubeRuntime", "AirlockAPI", "AirlockServer", "KubeTesting", "AirlockController",
                "AirlockAdmission", "AirlockIdentity", "AirlockPolicy", "KubeCore", "AirlockChat",
                "AirlockCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(releaseLinkerFlags, .when(platforms: [.linux], configuration: .release))]
        ),
        // Benchmarks against a local real API server: `hack/bench.sh`.
        .executableTarget(
            name: "AirlockBench",
            dependencies: [
                "KubeClient", "KubeRuntime", "KubeTesting", "KubeCore", "AirlockAPI", "AirlockController",
                "AirlockIdentity", "AirlockPolicy", "AirlockAdmission",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "KubeCoreTests", dependencies: ["KubeCore"]),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "KubeRuntimeTests", dependencies: ["KubeRuntime"]),
        .testTarget(
            name: "KubeTestingTests",
            dependencies: ["KubeTLS", "KubeTesting", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "AirlockAPITests", dependencies: ["AirlockAPI"]),
        .testTarget(
            name: "AirlockChatTests",
            dependencies: [
                "AirlockChat", "AirlockAPI", "KubeCore", "KubeTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "AirlockCLITests", dependencies: ["AirlockCLI", "AirlockAPI", "KubeCore"]),
        .testTarget(name: "AirlockPolicyTests", dependencies: ["AirlockPolicy", "AirlockAPI"]),
        .testTarget(
            name: "AirlockControllerTests",
            dependencies: ["AirlockController", "AirlockAPI", "AirlockPolicy", "AirlockChat", "KubeCore"]),
        .testTarget(
            name: "AirlockAdmissionTests",
            dependencies: [
                "AirlockAdmission", "AirlockIdentity", "AirlockAPI", "KubeCore", "KubeTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Seeded structure-aware fuzzing of the untrusted inputs: Slack interactions, admission
        // reviews, kubeconfigs (`AIRLOCK_FUZZ_INPUTS`, `AIRLOCK_FUZZ_SEED`).
        .testTarget(
            name: "FuzzTests",
            dependencies: [
                "AirlockChat", "AirlockAdmission", "AirlockIdentity", "AirlockAPI", "KubeCore", "KubeClient",
                .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Corpus"]
        ),
        // Tests against a real kube-apiserver + etcd.
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "KubeClient", "KubeRuntime", "KubeTesting", "AirlockAPI", "AirlockServer",
                "AirlockAdmission", "AirlockIdentity", "AirlockController", "AirlockPolicy", "AirlockChat",
                "AirlockCLI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
    ]
)
