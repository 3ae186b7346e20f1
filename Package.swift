// swift-tools-version: 6.0
// Scalpel — transfer learning for medical image classification, on libtorch.
import Foundation
import PackageDescription

/// libtorch headers and libraries, unpacked by `scripts/setup` (or any libtorch folder named by LIBTORCH).
let libtorch = Context.environment["LIBTORCH"] ?? Context.packageDirectory + "/.deps/libtorch"
/// A CUDA build links torch_cuda too; `scripts/setup --cuda` puts it beside torch_cpu.
let linksCUDA = FileManager.default.fileExists(atPath: libtorch + "/lib/libtorch_cuda.so")

let torchLibraries: [String] = linksCUDA ? ["torch_cpu", "torch_cuda", "c10_cuda", "c10"] : ["torch_cpu", "c10"]
let torchLinkFlags: [String] =
    ["-L\(libtorch)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(libtorch)/lib", "-Xlinker", "--no-as-needed"]
    + torchLibraries.map { "-l\($0)" }
    + ["-Xlinker", "--as-needed"]

var shimSettings: [CXXSetting] = [
    .unsafeFlags(["-isystem", "\(libtorch)/include", "-isystem", "\(libtorch)/include/torch/csrc/api/include"]),
    .define("_GLIBCXX_USE_CXX11_ABI", to: "1"),  // must match the libtorch build
]
if linksCUDA { shimSettings.append(.define("CTORCH_LINKS_CUDA")) }

let package = Package(
    name: "scalpel",
    products: [
        .executable(name: "scalpel", targets: ["scalpel"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "TorchNN", targets: ["TorchNN"]),
        .library(name: "TorchOptim", targets: ["TorchOptim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Engine: the C shim over libtorch and the Swift layers on top of it.
        .target(
            name: "CTorch",
            sources: ["shim"],
            cxxSettings: shimSettings,
            linkerSettings: [.unsafeFlags(torchLinkFlags)]),
        .target(name: "Torch", dependencies: ["CTorch"]),
        .target(name: "TorchNN", dependencies: ["Torch"]),
        .target(name: "TorchOptim", dependencies: ["Torch"]),

        // Image decoding through Debian's libjpeg-turbo, libpng, libtiff and stb (BMP), and DICOM through
        // DCMTK (scripts/setup installs them).
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16"),
                                                       .linkedLibrary("tiff"), .linkedLibrary("stb")]),
        .target(name: "CDicom",
                linkerSettings: ["dcmimage", "dcmimgle", "dcmjpeg", "dcmjpls", "dcmdata", "oflog", "ofstd"].map {
                    .linkedLibrary($0)
                }),

        // DEFLATE (.npz entries) through the system zlib (Debian zlib1g-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        // Downloads with resume and checksum checks (weights, datasets).
        .target(name: "ScalpelDownload", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Domain: backbones with cut points; data.
        .target(name: "ScalpelRandom"),
        .target(name: "ScalpelData", dependencies: ["Torch", "CImageCodecs", "CDicom", "CZlib", "ScalpelRandom", "ScalpelDownload"]),
        .target(name: "ScalpelMetrics", dependencies: ["ScalpelRandom"]),
        .target(name: "ScalpelModels", dependencies: ["Torch", "TorchNN", "ScalpelDownload"]),

        // Training: phases, schedules, checkpoints and run folders.
        .target(name: "ScalpelTraining",
                dependencies: ["Torch", "TorchNN", "TorchOptim", "ScalpelModels", "ScalpelData", "ScalpelMetrics"]),

        // Experiments: the run recipe as a library (specification, data resolution, running and reopening
        // runs, seed aggregation), sweeps and the run index.
        .target(name: "ScalpelExperiments",
                dependencies: ["Torch", "TorchNN", "TorchOptim", "ScalpelModels", "ScalpelData", "ScalpelMetrics",
                               "ScalpelTraining", .product(name: "Yams", package: "Yams"),
                               .product(name: "GRDB", package: "GRDB.swift")]),

        // Analyses (similarity, transferability, attribution) and attacks: engine, models, data and metrics only.
        .target(name: "ScalpelAnalysis", dependencies: ["Torch", "TorchNN", "ScalpelModels", "ScalpelData", "ScalpelMetrics"]),
        .target(name: "ScalpelAttacks",
                dependencies: ["Torch", "TorchNN", "ScalpelModels", "ScalpelData", "ScalpelMetrics", "ScalpelRandom"]),

        // Reports: HTML pages and plots from result files only (never loads a model).
        // Depends on ScalpelTraining only for the result files' Codable types (RunResults, MetricReport), and on
        // ScalpelExperiments to read config.yaml (a run specification).
        .target(name: "ScalpelReport", dependencies: ["ScalpelMetrics", "ScalpelData", "ScalpelTraining", "ScalpelExperiments",
                                                      .product(name: "Yams", package: "Yams")]),

        // Product: the command-line tool.
        .target(
            name: "ScalpelCommands",
            dependencies: ["Torch", "TorchNN", "TorchOptim", "ScalpelModels", "ScalpelData", "ScalpelMetrics",
                           "ScalpelTraining", "ScalpelExperiments", "ScalpelAnalysis", "ScalpelAttacks", "ScalpelReport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "scalpel", dependencies: ["ScalpelCommands"]),
        // Fuzzing of every parser of untrusted input (docs/security.md): a mutator, the targets, a runner.
        .target(name: "ScalpelFuzzing", dependencies: ["Torch", "ScalpelData", "ScalpelRandom", .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "scalpel-fuzz", dependencies: ["ScalpelFuzzing"]),
        .executableTarget(name: "scalpel-bench",
                         dependencies: ["Torch", "TorchNN", "TorchOptim", "ScalpelModels", "ScalpelData", "ScalpelTraining",
                                        "ScalpelAnalysis", "ScalpelAttacks", "ScalpelExperiments"]),

        // Tests.
        .target(name: "TorchTestSupport", dependencies: ["Torch", "TorchNN"], path: "Tests/TorchTestSupport"),
        .testTarget(name: "CTorchTests", dependencies: ["CTorch"]),
        .testTarget(name: "TorchTests", dependencies: ["Torch", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TorchNNTests", dependencies: ["TorchNN", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TorchOptimTests", dependencies: ["TorchOptim", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelModelsTests", dependencies: ["ScalpelModels", "ScalpelData", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelDataTests", dependencies: ["ScalpelData", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelMetricsTests", dependencies: ["ScalpelMetrics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelTrainingTests", dependencies: ["ScalpelTraining", "ScalpelData", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelExperimentsTests", dependencies: ["ScalpelExperiments", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelCommandsTests", dependencies: ["ScalpelCommands", "ScalpelExperiments", "TorchTestSupport"]),
        .testTarget(name: "ScalpelAttacksTests", dependencies: ["ScalpelAttacks", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelReportTests", dependencies: ["ScalpelReport", "ScalpelTraining", "ScalpelAnalysis", "ScalpelAttacks", "ScalpelData", "TorchTestSupport"]),
        .testTarget(name: "ScalpelAnalysisTests", dependencies: ["ScalpelAnalysis", "ScalpelModels", "TorchTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ScalpelFuzzingTests", dependencies: ["ScalpelFuzzing", "ScalpelData", "Torch"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx20
)
