// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import Testing
import TorchNN

/// The run specification: YAML round trip, the flat `config.yaml` of earlier runs, field-by-field
/// comparison, option names, and the errors for files that are not specifications.
@Suite struct RunSpecificationTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func sample() -> RunSpecification {
        var specification = RunSpecification(data: DataSpecification(source: "data/manifest.csv"))
        specification.data.splitColumn = "fold"
        specification.data.ordinal = true
        specification.data.splitSeed = 7
        specification.model.architecture = "resnet18"
        specification.model.imageSize = 64
        specification.model.augment = .flip
        specification.strategy = StrategySpecification(name: "lwft", parameters: "k=2,decay=10", bnPolicy: "freeze")
        specification.training.lr = 0.0003
        specification.training.schedule = .plateau
        specification.training.stopBelow = 1e-6
        specification.training.classWeights = "1,2.5"
        specification.runtime.threads = 3
        specification.runtime.seed = 11
        return specification
    }

    @Test(arguments: ["efficientnet_lite0", "resnet18"])
    func everyBatchNormOfTheTrainedNetworkGetsTheMomentum(_ architecture: String) throws {
        // TransFusion builds its slim top afresh: those layers must not keep the family's default
        // (EfficientNet-Lite's 0.01 left them at their initial statistics after a few epochs).
        var specification = RunSpecification(data: DataSpecification(source: "synthetic:8"))
        specification.model.architecture = architecture
        specification.model.weights = "none"
        specification.model.bnMomentum = 0.2
        specification.strategy = StrategySpecification(name: "transfusion",
                                                       parameters: architecture == "resnet18" ? "cut=layer2" : "cut=_blocks.10")
        let backbone = try specification.model.buildBackbone(classCount: 2, inputChannels: 3, seed: 0)
        let network = try specification.makeNetwork(from: backbone, classCount: 2)
        let norms = network.namedModules().compactMap { $0.module as? BatchNorm2d }
        #expect(norms.count > 10)
        #expect(norms.allSatisfy { $0.momentum == 0.2 }, "momenta: \(Set(norms.map(\.momentum)))")
    }

    @Test func roundTripsThroughYAML() throws {
        let specification = Self.sample()
        let text = try specification.yaml(header: "a header\nof two lines")
        #expect(text.hasPrefix("# a header\n# of two lines\nversion: 1\n"))
        #expect(try RunSpecification(yaml: text, source: "test") == specification)
        // Every field also reads back through its option name.
        let values = try specification.optionValues()
        #expect(values.contains { $0.option == "strategy-params" && $0.value == "k=2,decay=10" })
        let rebuilt = try RunSpecification(setting: values.map { ($0.option, $0.value) },
                                           on: RunSpecification(data: DataSpecification(source: "")), source: "test")
        #expect(rebuilt == specification)
    }

    @Test func theFlatConfigOfEarlierRunsStillLoads() throws {
        let specification = try RunSpecification(contentsOf: Self.fixtures.appendingPathComponent("legacy-run/config.yaml"))
        #expect(specification.data.source == "synthetic:96")
        #expect(specification.data.split == "0.7,0.1,0.2" && specification.data.splitSeed == 0)
        #expect(specification.model.architecture == "resnet18_28" && specification.model.weights == "none")
        #expect(specification.model.imageSize == 28)
        #expect(specification.strategy == StrategySpecification(name: "truncated", parameters: "cut=layer2", bnPolicy: "auto"))
        #expect(specification.training.epochs == 2 && specification.training.batchSize == 16 && specification.training.lr == 0.003)
        #expect(specification.training.stopBelow == nil && specification.training.earlyStopping == nil)
        #expect(specification.runtime.seed == 3 && specification.runtime.bootstrap == 20 && specification.runtime.threads == nil)
        try specification.validate()
        // Written again, it is a versioned document that reads back to the same run.
        #expect(try RunSpecification(yaml: try specification.yaml(), source: "rewritten") == specification)
    }

    @Test func differencesNameEveryChangedField() throws {
        let saved = Self.sample()
        var changed = saved
        changed.training.lr = 0.01
        changed.model.imageSize = nil
        changed.runtime.device = "cuda:0"
        let differences = try changed.differences(from: saved)
        #expect(differences == ["model.image-size: 64 → (unset)", "training.lr: 0.0003 → 0.01", "runtime.device: cpu → cuda:0"])
        #expect(try saved.differences(from: saved).isEmpty)
    }

    @Test(arguments: [
        ("version: 1\ndata: {source: x}\nmodel: {architecture: resnet18}\n", "is missing"),
        ("version: 2\n", "newer Scalpel"),
        ("- a\n- list\n", "expected a run specification"),
        ("data: x\nepochz: 3\n", "'epochz' is not a run option"),
        ("epochs: 3\n", "no 'data' option"),
        ("data: x\nepochs: three\n", "training.epochs"),
        ("data: x\nepochs: [1, 2]\n", "'epochs' must be a single value"),
        ("data: {source: [1, 2]}\nversion: 1\n", "'data.source' must be a single value"),
    ])
    func badFilesAreExplained(_ text: String, _ expected: String) {
        let error = #expect(throws: ExperimentError.self) { try RunSpecification(yaml: text, source: "spec.yaml") }
        #expect(error?.description.contains(expected) == true, "message was: \(error?.description ?? "none")")
        #expect(error?.description.hasPrefix("spec.yaml") == true)
    }

    @Test func anUnknownFieldOfAVersionedFileIsNamed() throws {
        var text = try Self.sample().yaml()
        text = text.replacingOccurrences(of: "training:\n", with: "training:\n  learning-rate: 0.1\n")
        let error = #expect(throws: ExperimentError.self) { try RunSpecification(yaml: text, source: "spec.yaml") }
        #expect(error?.description.contains("'training.learning-rate' is not a field") == true)
    }

    @Test func validationFindsMistakesBeforeAnythingRuns() {
        var specification = Self.sample()
        specification.strategy = StrategySpecification(name: "truncated")   // needs a cut
        #expect(throws: (any Error).self) { try specification.validate() }
        specification = Self.sample()
        specification.model.architecture = "resnet19"
        #expect(throws: ExperimentError.self) { try specification.validate() }
        specification = Self.sample()
        specification.data.split = "0.5,0.6,0.1"
        #expect(throws: (any Error).self) { try specification.validate() }
        specification = Self.sample()
        specification.training.epochs = 0
        #expect(throws: ExperimentError.self) { try specification.validate() }
        #expect(throws: Never.self) { try Self.sample().validate() }
    }
}
