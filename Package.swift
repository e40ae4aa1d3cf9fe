// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Quench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "quench", targets: ["quench"]),
        .library(name: "QuenchTensor", targets: ["QuenchTensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // 4.x: jwt-kit 5 needs it.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS",
            providers: [.apt(["libblas-dev", "libopenblas0-pthread"])]),
        .systemLibrary(
            name: "CDNNL", path: "Sources/CDNNL",
            providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(
            name: "COpenMP", path: "Sources/COpenMP",
            providers: [.apt(["libgomp1"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "QuenchFiles"),
        // HTML escaping and the loss chart, shared by the run report and the registry's web pages.
        .target(name: "QuenchHTML"),
        .target(name: "QuenchConfig", dependencies: ["QuenchFiles", "Yams"]),
        .target(name: "QuenchRandom"),
        // The gate.json schema (verdict, checks, files by role, per-set results): QuenchEval writes it,
        // QuenchRegistry reads and re-checks it without linking evaluation.
        .target(name: "QuenchGate", dependencies: ["QuenchFiles"]),
        .target(name: "QuenchTensor", dependencies: ["CBLAS", "CDNNL", "COpenMP"]),
        .target(name: "QuenchSecurity", dependencies: ["QuenchFiles", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "QuenchTokenizer", dependencies: ["QuenchFiles"]),
        .target(name: "QuenchModel", dependencies: ["QuenchFiles", "QuenchRandom", "QuenchTensor", "QuenchTokenizer"]),
        .target(name: "QuenchData", dependencies: ["QuenchFiles", "QuenchRandom", "QuenchSecurity", "QuenchTokenizer"]),
        // Ranks training one model together: Open MPI loaded at run time (dlopen), so neither the build
        // nor a single-process run needs MPI installed.
        .target(name: "QuenchDistributed"),
        .target(
            name: "QuenchTrain",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchDistributed", "QuenchFiles", "QuenchModel", "QuenchRandom",
                "QuenchTensor", "QuenchTokenizer", "QuenchSecurity",
            ]),
        .target(
            name: "QuenchEval",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchFiles", "QuenchGate", "QuenchModel", "QuenchTensor",
                "QuenchTokenizer", "QuenchSecurity",
            ]),
        .target(name: "QuenchHub", dependencies: ["CCurl", "QuenchConfig", "QuenchFiles", "QuenchSecurity", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "QuenchRegistry",
            dependencies: [
                "QuenchConfig", "QuenchFiles", "QuenchGate", "QuenchSecurity", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The team store: the same registry schema and rules on PostgreSQL (postgres-nio).
        .target(
            name: "QuenchRegistryPostgres",
            dependencies: ["QuenchRegistry", "QuenchFiles", "QuenchSecurity", .product(name: "PostgresNIO", package: "postgres-nio")]),
        // `quench registry serve`: the registry as an HTTP service with authenticated identities.
        .target(
            name: "QuenchRegistryServer",
            dependencies: [
                "QuenchConfig", "QuenchFiles", "QuenchGate", "QuenchHTML", "QuenchHub", "QuenchRegistry", "QuenchRegistryPostgres",
                "QuenchSecurity",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("OpenAPI/openapi.yaml")]),
        // The registry's HTTP client: the CLI and `quench run` against a server, witnessing its audit log.
        .target(
            name: "QuenchRegistryClient",
            dependencies: [
                "QuenchFiles", "QuenchHub", "QuenchRegistry", "QuenchSecurity", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "QuenchGovernance",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchFiles", "QuenchRandom", "QuenchSecurity",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "QuenchDispatch",
            dependencies: [
                "QuenchConfig", "QuenchFiles", "QuenchSecurity", .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .target(
            name: "QuenchJobs",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchDistributed", "QuenchGate", "QuenchTrain", "QuenchModel", "QuenchTokenizer", "QuenchEval",
                "QuenchHub", "QuenchRegistry", "QuenchRegistryClient", "QuenchGovernance", "QuenchDispatch", "QuenchSecurity",
                "QuenchFiles", "QuenchHTML",
            ]),
        .target(
            name: "QuenchBench",
            dependencies: [
                "QuenchData", "QuenchDistributed", "QuenchTrain", "QuenchModel", "QuenchTokenizer", "QuenchTensor", "CBLAS", "QuenchFiles",
                "QuenchGate", "QuenchHub", "QuenchRegistry", "QuenchSecurity",
            ]),
        .executableTarget(
            name: "quench",
            dependencies: [
                "QuenchBench", "QuenchConfig", "QuenchData", "QuenchDistributed", "QuenchGate", "QuenchModel", "QuenchTensor",
                "QuenchTokenizer", "QuenchSecurity",
                "QuenchTrain", "QuenchEval", "QuenchHub", "QuenchRegistry", "QuenchGovernance", "QuenchDispatch",
                "QuenchJobs", "QuenchFiles", "QuenchRegistryClient", "QuenchRegistryServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Fixtures, temporary directories, the process runner and the test servers (TLS/nginx, sshd,
        // Slurm) every test target uses; Foundation and Testing only, so low-level tests stay light.
        .target(name: "QuenchTestSupport", path: "Tests/QuenchTestSupport"),
        .testTarget(name: "QuenchFilesTests", dependencies: ["QuenchFiles", "QuenchTestSupport"]),
        .testTarget(name: "QuenchConfigTests", dependencies: ["QuenchConfig", "QuenchTestSupport"]),
        .testTarget(name: "QuenchTensorTests", dependencies: ["QuenchRandom", "QuenchTensor", "QuenchTestSupport"]),
        .testTarget(name: "QuenchDistributedTests", dependencies: ["QuenchDistributed", "QuenchTestSupport"]),
        .testTarget(name: "QuenchSecurityTests", dependencies: ["QuenchSecurity", "QuenchTestSupport"]),
        .testTarget(
            name: "QuenchModelTests", dependencies: ["QuenchModel", "QuenchTokenizer", "QuenchTestSupport"],
            // Adapters saved by PEFT and its numbers, made by scripts/make-peft-variant-reference.py.
            resources: [.copy("Resources")]),
        // The tokenizer's tests read their vocabularies from GGUF and tokenizer.json files through
        // QuenchModel, as the product does.
        .testTarget(name: "QuenchTokenizerTests", dependencies: ["QuenchTokenizer", "QuenchModel", "QuenchTestSupport"]),
        .testTarget(
            name: "QuenchTrainTests",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchDistributed", "QuenchRandom", "QuenchTrain", "QuenchModel", "QuenchTokenizer",
                "QuenchTensor", "QuenchTestSupport",
            ],
            // bf16 references made by scripts/make-bf16-reference.py (PyTorch autocast and Quench's scheme).
            resources: [.copy("Resources")]),
        .testTarget(name: "QuenchBenchTests", dependencies: ["QuenchBench", "QuenchTestSupport"]),
        .testTarget(
            name: "QuenchEvalTests",
            dependencies: [
                "QuenchData", "QuenchEval", "QuenchGate", "QuenchModel", "QuenchRandom", "QuenchTokenizer", "QuenchTensor",
                "QuenchTestSupport",
            ]),
        .testTarget(name: "QuenchHubTests", dependencies: ["QuenchConfig", "QuenchHub", "QuenchSecurity", "QuenchTestSupport"]),
        .testTarget(
            name: "QuenchRegistryTests",
            dependencies: [
                "QuenchConfig", "QuenchFiles", "QuenchRegistry", "QuenchSecurity", "QuenchTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The registry as a service: both stores (a throwaway PostgreSQL cluster), the server over real HTTP,
        // the client and its audit witness.
        .testTarget(
            name: "QuenchRegistryServiceTests",
            dependencies: [
                "QuenchFiles", "QuenchGate", "QuenchHub", "QuenchRegistry", "QuenchRegistryClient", "QuenchRegistryPostgres",
                "QuenchRegistryServer", "QuenchSecurity", "QuenchTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "QuenchGovernanceTests",
            dependencies: ["QuenchConfig", "QuenchData", "QuenchGovernance", "QuenchSecurity", "QuenchTestSupport"]),
        .testTarget(
            name: "QuenchJobsTests",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchDistributed", "QuenchEval", "QuenchGate", "QuenchGovernance", "QuenchHub",
                "QuenchJobs", "QuenchDispatch", "QuenchRegistry", "QuenchTrain",
                "QuenchSecurity", "QuenchTestSupport",
            ]),
        .testTarget(name: "QuenchDispatchTests", dependencies: ["QuenchConfig", "QuenchDispatch", "QuenchSecurity", "QuenchTestSupport"]),
        .testTarget(name: "QuenchCLITests", dependencies: ["quench", "QuenchTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets (Fuzz/), only when QUENCH_FUZZ=1: `make fuzz` builds them with
// -sanitize=fuzzer,address in .build-fuzz, so the normal build and `make test` never see them.
if Context.environment["QUENCH_FUZZ"] == "1" {
    package.products.append(.executable(name: "quench-fuzz", targets: ["quench-fuzz"]))
    package.targets += [
        .target(name: "CFuzzerEntry", path: "Fuzz/CFuzzerEntry"),
        .executableTarget(
            name: "quench-fuzz",
            dependencies: [
                "CFuzzerEntry", "QuenchConfig", "QuenchData", "QuenchModel", "QuenchTokenizer", "QuenchTrain", "QuenchEval", "QuenchGovernance", "QuenchJobs",
                "QuenchDispatch", "QuenchFiles", "QuenchSecurity",
            ],
            path: "Fuzz/quench-fuzz"),
    ]
}
