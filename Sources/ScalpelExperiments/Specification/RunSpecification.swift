// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import ScalpelTraining
import Torch

/// Everything that defines one training run: data and split, model and starting weights, strategy,
/// training schedule and runtime. Written as `config.yaml` in the run folder (versioned YAML), read
/// back to reopen or resume the run, and compared by value on resume.
///
/// ```yaml
/// version: 1
/// data: {source: pneumoniamnist, split-seed: 0, …}
/// model: {architecture: resnet18, weights: imagenet, …}
/// strategy: {name: truncated, parameters: cut=layer3, bn-policy: auto}
/// training: {epochs: 10, lr: 0.001, …}
/// runtime: {device: cpu, seed: 0, …}
/// ```
///
/// Every field is also a `scalpel train` option (``optionPaths``), so a flat mapping of options (the
/// `config.yaml` written before version 1, or a `--config` file) reads as a specification too.
public struct RunSpecification: Codable, Equatable, Sendable {
    /// The format version this build writes; files of a later version are refused.
    public static let currentVersion = 1

    public var version: Int = RunSpecification.currentVersion
    public var data: DataSpecification
    public var model: ModelSpecification
    public var strategy: StrategySpecification
    public var training: TrainingSpecification
    public var runtime: RuntimeSpecification

    public init(data: DataSpecification, model: ModelSpecification = .init(), strategy: StrategySpecification = .init(),
                training: TrainingSpecification = .init(), runtime: RuntimeSpecification = .init()) {
        self.data = data
        self.model = model
        self.strategy = strategy
        self.training = training
        self.runtime = runtime
    }

    /// Checks every field and what derives from it (architecture, strategy, schedule, split), before
    /// anything is read or written.
    public func validate() throws {
        guard version == Self.currentVersion else {
            throw ExperimentError("version \(version) is not supported (this build reads version \(Self.currentVersion))")
        }
        _ = try model.resolvedArchitecture()
        if let size = model.imageSize, size < 8 || size > 1024 {
            throw ExperimentError("--image-size must be between 8 and 1024, got \(size).")
        }
        guard model.bnMomentum > 0, model.bnMomentum <= 1 else {
            throw ExperimentError("--bn-momentum must be in (0, 1], got \(model.bnMomentum).")
        }
        do {
            _ = try strategy.transferStrategy()
        } catch let error as TrainingError {
            throw ExperimentError(error.description)
        }
        _ = try strategy.batchNormOverride()
        try training.validate()
        try runtime.validate()
        try data.fractions().validate(source: "--split")
    }

    /// The starting weights actually used: strategies that train from scratch ignore `model.weights`.
    /// (A strategy that cannot be built yet, such as one whose cut a search fills in, changes nothing.)
    public func withStrategyWeights() -> RunSpecification {
        var copy = self
        if (try? strategy.transferStrategy())?.usesPretrainedWeights == false { copy.model.weights = "none" }
        return copy
    }

    /// The network this run trains: the strategy's surgery on `backbone` (generator seeded from the run's
    /// seed), with `model.bnMomentum` on every batch norm, the layers the strategy built included.
    public func makeNetwork(from backbone: any Backbone, classCount: Int) throws -> any SplitNetwork {
        let network = try strategy.transferStrategy().makeModel(from: backbone, classCount: classCount,
                                                                generator: try Generator(seed: runtime.seed &+ 1))
        model.applyBatchNormMomentum(to: network)
        return network
    }
}

// MARK: - Fields by option name

extension RunSpecification {
    /// Each `scalpel train` option and the specification field it sets (`section.key`).
    public static let optionPaths: [(option: String, path: String)] = [
        ("data", "data.source"), ("size", "data.medmnist-size"), ("path-column", "data.path-column"),
        ("label-column", "data.label-column"), ("split-column", "data.split-column"),
        ("patient-column", "data.patient-column"), ("classes", "data.classes"), ("ordinal", "data.ordinal"),
        ("image-root", "data.image-root"), ("split", "data.split"), ("split-seed", "data.split-seed"),
        ("on-bad-image", "data.on-bad-image"),
        ("model", "model.architecture"), ("weights", "model.weights"), ("image-size", "model.image-size"),
        ("bn-momentum", "model.bn-momentum"), ("augment", "model.augment"),
        ("strategy", "strategy.name"), ("strategy-params", "strategy.parameters"), ("bn-policy", "strategy.bn-policy"),
        ("epochs", "training.epochs"), ("batch-size", "training.batch-size"), ("lr", "training.lr"),
        ("optimizer", "training.optimizer"), ("weight-decay", "training.weight-decay"), ("momentum", "training.momentum"),
        ("schedule", "training.schedule"), ("milestones", "training.milestones"), ("gamma", "training.gamma"),
        ("warmup-epochs", "training.warmup-epochs"), ("min-lr-factor", "training.min-lr-factor"),
        ("pct-start", "training.pct-start"), ("plateau-factor", "training.plateau-factor"),
        ("plateau-patience", "training.plateau-patience"), ("min-lr", "training.min-lr"),
        ("stop-below", "training.stop-below"), ("early-stopping", "training.early-stopping"),
        ("monitor", "training.monitor"), ("clip-grad-norm", "training.clip-grad-norm"),
        ("class-weights", "training.class-weights"),
        ("device", "runtime.device"), ("threads", "runtime.threads"), ("seed", "runtime.seed"),
        ("workers", "runtime.workers"), ("cache-features", "runtime.cache-features"), ("bootstrap", "runtime.bootstrap"),
        ("precision", "runtime.precision"),
    ]

    /// The field path of an option name or of a path itself (`lr` and `training.lr` both give `training.lr`).
    public static func path(of name: String) -> String? {
        if let entry = optionPaths.first(where: { $0.option == name }) { return entry.path }
        return optionPaths.first(where: { $0.path == name })?.path
    }

    /// `base` with the given fields set from text values (option names or field paths; values as on the
    /// command line, e.g. `("lr", "0.01")`). An unknown name or a value of the wrong type is an error
    /// naming `source`, the field and what it takes.
    public init(setting values: [(name: String, value: String)], on base: RunSpecification, source: String) throws {
        var tree = try SpecificationTree(base)
        for (name, value) in values {
            guard let path = Self.path(of: name) else {
                throw ExperimentError("\(source): '\(name)' is not a run option (known: \(Self.optionPaths.map(\.option).joined(separator: ", ")))")
            }
            tree.set(value, at: path)
        }
        self = try tree.decode(source: source)
    }

    /// The options that reproduce this specification: (option name, value) for every field that is set.
    public func optionValues() throws -> [(option: String, value: String)] {
        let tree = try SpecificationTree(self)
        let values = tree.flattened()
        return Self.optionPaths.compactMap { entry in values[entry.path].map { (entry.option, $0) } }
    }

    /// Every field whose value differs from `other`'s, as `path: old → new`, in field order.
    public func differences(from other: RunSpecification) throws -> [String] {
        let old = try SpecificationTree(other).flattened(), new = try SpecificationTree(self).flattened()
        let paths = Self.optionPaths.map(\.path) + ["version"]
        return paths.filter { old[$0] != new[$0] }.map { "\($0): \(old[$0] ?? "(unset)") → \(new[$0] ?? "(unset)")" }
    }
}
