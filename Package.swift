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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS",
            providers: [.apt(["libblas-dev", "libopenblas0-pthread"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "QuenchFiles"),
        .target(name: "QuenchConfig", dependencies: ["QuenchFiles", "Yams"]),
        .target(name: "QuenchRandom"),
        // The gate.json schema (verdict, checks, files by role, per-set results): QuenchEval writes it,
        // QuenchRegistry reads and re-checks it without linking evaluation.
        .target(name: "QuenchGate"),
        .target(name: "QuenchTensor", dependencies: ["CBLAS"]),
        .target(name: "QuenchSecurity", dependencies: ["QuenchFiles", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "QuenchTokenizer", dependencies: ["QuenchFiles"]),
        .target(name: "QuenchModel", dependencies: ["QuenchFiles", "QuenchRandom", "QuenchTensor", "QuenchTokenizer"]),
        .target(name: "QuenchData", dependencies: ["QuenchFiles", "QuenchRandom", "QuenchSecurity", "QuenchTokenizer"]),
        .target(
            name: "QuenchTrain",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchFiles", "QuenchModel", "QuenchRandom", "QuenchTensor",
                "QuenchTokenizer", "QuenchSecurity", "Yams",
            ]),
        .target(
            name: "QuenchEval",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchFiles", "QuenchGate", "QuenchModel", "QuenchTensor",
                "QuenchTokenizer", "QuenchSecurity", "Yams",
            ]),
        .target(name: "QuenchHub", dependencies: ["CCurl", "QuenchFiles", "QuenchSecurity", "Yams", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "QuenchRegistry",
            dependencies: [
                "QuenchFiles", "QuenchGate", "QuenchSecurity", "Yams", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "QuenchGovernance",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchFiles", "QuenchRandom", "QuenchSecurity", "Yams",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "QuenchDispatch",
            dependencies: [
                "QuenchFiles", "QuenchSecurity", "Yams", .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .target(
            name: "QuenchJobs",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchGate", "QuenchTrain", "QuenchModel", "QuenchTokenizer", "QuenchEval",
                "QuenchHub", "QuenchRegistry", "QuenchGovernance", "QuenchDispatch", "QuenchSecurity", "QuenchFiles",
                "Yams",
            ]),
        .target(
            name: "QuenchBench",
            dependencies: ["QuenchData", "QuenchTrain", "QuenchModel", "QuenchTokenizer", "QuenchTensor", "CBLAS"]),
        .executableTarget(
            name: "quench",
            dependencies: [
                "QuenchBench", "QuenchConfig", "QuenchData", "QuenchGate", "QuenchModel", "QuenchTokenizer", "QuenchSecurity",
                "QuenchTrain", "QuenchEval", "QuenchHub", "QuenchRegistry", "QuenchGovernance", "QuenchDispatch",
                "QuenchJobs", "QuenchFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "QuenchFilesTests", dependencies: ["QuenchFiles"]),
        .testTarget(name: "QuenchTensorTests", dependencies: ["QuenchRandom", "QuenchTensor"]),
        .testTarget(name: "QuenchSecurityTests", dependencies: ["QuenchSecurity"]),
        .testTarget(name: "QuenchModelTests", dependencies: ["QuenchModel", "QuenchTokenizer"]),
        .testTarget(
            name: "QuenchTrainTests",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchRandom", "QuenchTrain", "QuenchModel", "QuenchTokenizer", "QuenchTensor",
                "Yams",
            ]),
        .testTarget(name: "QuenchBenchTests", dependencies: ["QuenchBench"]),
        .testTarget(
            name: "QuenchEvalTests",
            dependencies: ["QuenchData", "QuenchEval", "QuenchGate", "QuenchModel", "QuenchRandom", "QuenchTokenizer", "QuenchTensor"]),
        .testTarget(name: "QuenchHubTests", dependencies: ["QuenchHub", "QuenchSecurity"]),
        .testTarget(
            name: "QuenchRegistryTests",
            dependencies: [
                "QuenchRegistry", "QuenchSecurity", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "QuenchGovernanceTests", dependencies: ["QuenchData", "QuenchGovernance", "QuenchSecurity"]),
        .testTarget(
            name: "QuenchJobsTests",
            dependencies: [
                "QuenchConfig", "QuenchData", "QuenchEval", "QuenchGate", "QuenchJobs", "QuenchDispatch", "QuenchTrain",
                "QuenchSecurity", "Yams",
            ]),
        .testTarget(name: "QuenchDispatchTests", dependencies: ["QuenchDispatch", "QuenchSecurity"]),
        .testTarget(name: "QuenchCLITests", dependencies: ["quench", "QuenchTokenizer"]),
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
                "QuenchDispatch", "QuenchSecurity",
            ],
            path: "Fuzz/quench-fuzz"),
    ]
}
