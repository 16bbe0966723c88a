// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "CallCenter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "settings-service", targets: ["SettingsServiceMain"]),
        .executable(name: "routing-service", targets: ["RoutingServiceMain"]),
        .executable(name: "status-service", targets: ["StatusServiceMain"]),
        .executable(name: "report-service", targets: ["ReportServiceMain"]),
        .executable(name: "runtime-test-service", targets: ["RuntimeTestService"]),
        .executable(name: "cc-sim", targets: ["CCSim"]),
        .executable(name: "ccctl", targets: ["CCCtl"]),
        .executable(name: "cc-bench", targets: ["PipelineBenchmark"]),
        .library(name: "CallCenterDomain", targets: ["CallCenterDomain"]),
        .library(name: "EventContract", targets: ["EventContract"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .library(name: "ServiceRuntime", targets: ["ServiceRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // librdkafka, found with pkg-config (>= 2.2, installed by scripts/bootstrap).
        .systemLibrary(name: "CRdKafka", path: "Shared/CRdKafka", pkgConfig: "rdkafka"),
        // LZ4 block compression for the outbox (liblz4-dev, a librdkafka dependency too).
        .systemLibrary(name: "CLZ4", path: "Shared/CLZ4", pkgConfig: "liblz4"),
        // jemalloc for the services' allocations (libjemalloc-dev, installed by scripts/bootstrap; Linux only).
        .target(name: "CAllocator", path: "Shared/CAllocator",
                linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]),
        .target(
            name: "KafkaClient",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")],
            path: "Shared/KafkaClient"
        ),
        // The domain's only dependency: persistent collections (pure data structures, no I/O).
        .target(name: "CallCenterDomain", dependencies: [.product(name: "HashTreeCollections", package: "swift-collections")],
                path: "Shared/CallCenterDomain"),
        // JSON as Foundation writes and reads it, faster: one encode, one decode (each with Foundation as fallback).
        .target(name: "FastJSON", path: "Shared/JSON"),
        .target(
            name: "EventContract",
            dependencies: ["CallCenterDomain", "FastJSON"],
            path: "Shared/EventContract"
        ),
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "KafkaClient", "EventContract", "FastJSON", "CAllocator", "CLZ4",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Shared/ServiceRuntime"
        ),
        .target(name: "SettingsService", dependencies: ["ServiceRuntime", "CallCenterDomain", "EventContract",
                                                .product(name: "Hummingbird", package: "hummingbird")],
                path: "Services/SettingsService/Logic"),
        .executableTarget(name: "SettingsServiceMain",
                          dependencies: ["SettingsService", "ServiceRuntime", .product(name: "Hummingbird", package: "hummingbird")],
                          path: "Services/SettingsService/Main"),
        .target(name: "RoutingService", dependencies: ["ServiceRuntime", "CallCenterDomain", "EventContract", "FastJSON",
                                                .product(name: "Hummingbird", package: "hummingbird")],
                path: "Services/RoutingService/Logic"),
        .executableTarget(name: "RoutingServiceMain",
                          dependencies: ["RoutingService", "ServiceRuntime", .product(name: "Hummingbird", package: "hummingbird")],
                          path: "Services/RoutingService/Main"),
        .target(name: "StatusService", dependencies: ["ServiceRuntime", "CallCenterDomain", "EventContract",
                                                      .product(name: "Hummingbird", package: "hummingbird"),
                                                      .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                path: "Services/StatusService/Logic"),
        .executableTarget(name: "StatusServiceMain",
                          dependencies: ["StatusService", "ServiceRuntime", .product(name: "Hummingbird", package: "hummingbird"),
                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                          path: "Services/StatusService/Main"),
        .target(name: "ReportService", dependencies: ["ServiceRuntime", "CallCenterDomain", "EventContract", "FastJSON",
                                                .product(name: "Hummingbird", package: "hummingbird")],
                path: "Services/ReportService/Logic"),
        .executableTarget(name: "ReportServiceMain",
                          dependencies: ["ReportService", "ServiceRuntime", .product(name: "Hummingbird", package: "hummingbird"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Services/ReportService/Main"),
        // Plays the telephony layer and the admin app: the demo scenario of `make run`.
        .executableTarget(name: "CCSim", dependencies: ["KafkaClient", "EventContract", "CallCenterDomain",
                                                       .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Tools/CCSim"),
        // The operator CLI: topics, lag, tail, dead letters, agents. Works against any Kafka.
        .executableTarget(name: "CCCtl", dependencies: ["KafkaClient", "EventContract", "CallCenterDomain", "ServiceRuntime",
                                                        .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Tools/CCCtl"),
        .executableTarget(name: "EventDecoderFuzz", dependencies: ["EventContract"], path: "Fuzz/EventDecoderFuzz"),
        .executableTarget(name: "PipelineBenchmark", dependencies: ["KafkaClient", "EventContract", "CallCenterDomain", "DevelopmentSupport",
                                                                   .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Benchmarks/PipelineBenchmark"),
        .executableTarget(
            name: "DomainBenchmark",
            dependencies: ["CallCenterDomain"],
            path: "Benchmarks/DomainBenchmark"
        ),
        .executableTarget(
            name: "CodecBenchmark",
            dependencies: ["EventContract", "FastJSON"],
            path: "Benchmarks/CodecBenchmark"
        ),

        .testTarget(
            name: "CallCenterDomainTests",
            dependencies: ["CallCenterDomain", .product(name: "PropertyBased", package: "swift-property-based")],
            path: "Tests/CallCenterDomainTests"
        ),
        .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "TestSupport"],
                    path: "Tests/KafkaClientTests"),
        .testTarget(name: "ServiceLogicTests",
                    dependencies: ["ReportService", "RoutingService", "SettingsService", "StatusService", "TestSupport", "FastJSON",
                                   .product(name: "GRDB", package: "GRDB.swift"),
                                   .product(name: "PropertyBased", package: "swift-property-based"),
                                   .product(name: "HummingbirdTesting", package: "hummingbird")],
                    path: "Tests/ServiceLogicTests"),
        .testTarget(name: "EventContractTests",
                    dependencies: ["EventContract", "FastJSON", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
                    path: "Tests/EventContractTests"),
        .testTarget(name: "ServiceRuntimeTests", dependencies: ["ServiceRuntime", "TestSupport",
                                                               .product(name: "GRDB", package: "GRDB.swift")],
                    path: "Tests/ServiceRuntimeTests"),
        .testTarget(name: "EndToEndTests", dependencies: ["KafkaClient", "TestSupport", "RoutingService", "ReportService"],
                    path: "Tests/EndToEndTests"),
        // The local broker, free ports and child processes' usage: for tests, tools and benchmarks.
        .target(name: "DevelopmentSupport", path: "Shared/DevelopmentSupport"),
        .target(name: "TestSupport", dependencies: ["KafkaClient", "ServiceRuntime", "EventContract", "CallCenterDomain", "DevelopmentSupport",
                                                    .product(name: "GRDB", package: "GRDB.swift")],
                path: "Tests/TestSupport"),
        // A service on the runtime that counts events, for the runtime's crash and scale-out tests.
        .executableTarget(name: "RuntimeTestService",
                          dependencies: ["TestSupport", "ServiceRuntime", .product(name: "Hummingbird", package: "hummingbird")],
                          path: "Tests/RuntimeTestService"),
    ]
)
