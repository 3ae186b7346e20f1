// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing
import Torch

/// `--precision` is part of what a run is: written to `config.yaml`, compared on `--resume`, and read
/// as fp32 from the files of runs written before the field existed.
@Suite(.serialized)
struct PrecisionSpecificationTests {
    static func specification(_ precision: Precision) throws -> RunSpecification {
        var specification = try RunSpecification(
            setting: [("data", "synthetic:48"), ("model", "resnet18_28"), ("weights", "none"), ("epochs", "1"),
                      ("batch-size", "16"), ("bootstrap", "0"), ("threads", "1")],
            on: RunSpecification(data: DataSpecification(source: "")), source: "test")
        specification.runtime.precision = precision
        return specification
    }

    @Test func precisionIsWrittenReadAndComparedByName() throws {
        let bf16 = try Self.specification(.bf16)
        let text = try bf16.yaml()
        #expect(text.contains("  precision: bf16\n"))
        #expect(try RunSpecification(yaml: text, source: "test") == bf16)
        #expect(try bf16.optionValues().contains { $0.option == "precision" && $0.value == "bf16" })
        #expect(RunSpecification.path(of: "precision") == "runtime.precision")   // a sweep can vary it
        #expect(try bf16.differences(from: try Self.specification(.fp32)) == ["runtime.precision: fp32 → bf16"])
        let wrong = #expect(throws: ExperimentError.self) {
            try RunSpecification(yaml: text.replacingOccurrences(of: "precision: bf16", with: "precision: fp8"), source: "spec.yaml")
        }
        #expect(wrong?.description.contains("precision") == true)
    }

    @Test func aSweepOfFP16OnTheCPUIsRefusedBeforeAnythingRuns() throws {
        let error = #expect(throws: ExperimentError.self) {
            try SweepPlan(yaml: """
                base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1}
                grid:
                  precision: [fp32, bf16, fp16]
                """, source: "sweep.yaml")
        }
        #expect(error?.description.contains("precision=fp16") == true && error?.description.contains("bf16") == true,
                "\(error?.description ?? "no error")")
        let plan = try SweepPlan(yaml: """
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1}
            grid:
              precision: [fp32, bf16]
            """, source: "sweep.yaml")
        #expect(plan.points.map(\.specification.runtime.precision) == [.fp32, .bf16])
    }

    @Test func aConfigWrittenBeforeTheFieldReadsAsFP32() throws {
        let text = try Self.specification(.bf16).yaml().replacingOccurrences(of: "  precision: bf16\n", with: "")
        #expect(!text.contains("precision"))
        let legacy = try RunSpecification(yaml: text, source: "old config.yaml")
        #expect(legacy.runtime.precision == .fp32)
        #expect(legacy == (try Self.specification(.fp32)))
    }

    @Test func resumingWithAnotherPrecisionNamesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-precision-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fp32 = try Self.specification(.fp32)
        let data = try RunData(fp32.data)
        _ = try RunExecution(fp32).run(data: data, folder: folder)
        let config = try String(contentsOf: folder.appendingPathComponent("config.yaml"), encoding: .utf8)
        #expect(config.contains("  precision: fp32\n"))
        // Unfinished again (as if killed before the test), then resumed in bf16: refused, the field named.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("metrics.json"))
        let error = #expect(throws: ExperimentError.self) {
            _ = try RunExecution(try Self.specification(.bf16), resume: true).run(data: data, folder: folder)
        }
        #expect(error?.description.contains("runtime.precision: fp32 → bf16") == true, "\(error?.description ?? "no error")")
    }
}
