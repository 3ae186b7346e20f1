// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelTraining

private func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// The record format against the known vectors of ANALYSES.md §(e) (checked with TensorFlow's writer).
struct TensorBoardRecordTests {
    @Test func crc32cOfTheCheckString() {
        #expect(TensorBoardRecord.crc32c(Array("123456789".utf8)) == 0xE306_9283)
        #expect(TensorBoardRecord.crc32c([UInt8]()) == 0)
    }

    @Test func fileVersionRecord() {
        let record = TensorBoardRecord.frame(TensorBoardRecord.fileVersionEvent(wallTime: 1.0))
        #expect(record == hex("1800000000000000 a37f4b22 09000000000000f03f1a0d627261696e2e4576656e743a32 86bf577a"))
        #expect(record.count == 40)
    }

    @Test func scalarRecord() {
        let record = TensorBoardRecord.frame(TensorBoardRecord.scalarsEvent([("loss", 0.5)], step: 3, wallTime: 1.0))
        #expect(record == hex("1a00000000000000 129bd82d 09000000000000f03f10032a0d0a0b0a046c6f7373150000003f 7fb84377"))
        #expect(record.count == 42)
    }

    @Test func sessionStartEncodesStatusOne() {
        // Event{wall_time 1.0 (field 1), step 5 (field 2), session_log (field 7) {status START = 1}}.
        #expect(TensorBoardRecord.sessionStartEvent(step: 5, wallTime: 1.0)
                == hex("09000000000000f03f 1005 3a02 0801"))
    }
}

/// Runs written by the trainer, read back by the `tensorboard` package as TensorBoard shows them.
@Suite(.serialized)
struct TensorBoardRunTests {
    /// `{tag: [(step, value)]}` as `EventAccumulator` reads RUN/tensorboard; nil (after a notice, or a
    /// failure under CI=true) when no Python with `tensorboard` is there.
    static func readBack(_ run: RunFolder) throws -> [String: [(step: Int, value: Double)]]? {
        guard let python = ServicePython.interpreter(importing: ["tensorboard"]),
              let root = ServicePython.packageRoot() else {
            let message = "TensorBoard read-back needs a Python with tensorboard (.deps/test-python from scripts/services/python-readers, or .deps/python)"
            if ServicePython.isCI { Issue.record(Comment(rawValue: message)) } else { print("notice: skipped: \(message)") }
            return nil
        }
        let script = root.appendingPathComponent("scripts/readers/tensorboard_scalars.py").path
        let result = try ServicePython.run(python, [script, run.tensorboardURL.path])
        try #require(result.status == 0, "tensorboard_scalars.py failed: \(result.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["file_version"] as? Double == 2)
        let scalars = try #require(object["scalars"] as? [String: [[Double]]])
        return scalars.mapValues { $0.map { (step: Int($0[0]), value: $0[1]) } }
    }

    /// Every scalar of metrics.json, as float32 (TensorBoard's `simple_value`), by tag and step.
    static func expected(_ results: RunResults) -> [String: [(step: Int, value: Double)]] {
        var expected: [String: [(step: Int, value: Double)]] = [:]
        for record in results.history {
            for scalar in TensorBoardWriter.scalars(of: record) {
                expected[scalar.tag, default: []].append((record.epoch, Double(Float(scalar.value))))
            }
        }
        if let test = results.test {
            for scalar in TensorBoardWriter.scalars(ofTest: test, loss: results.testLoss) {
                expected[scalar.tag, default: []].append((results.history.count, Double(Float(scalar.value))))
            }
        }
        return expected
    }

    static func compare(_ run: RunFolder) throws {
        let results = try RunResults(contentsOf: run.metricsURL)
        guard let read = try readBack(run) else { return }
        let expected = expected(results)
        #expect(Set(read.keys) == Set(expected.keys))
        for (tag, points) in expected {
            let got = read[tag] ?? []
            #expect(got.map(\.step) == points.map(\.step), "\(tag): steps")
            // simple_value is a float32; compared as one (JSON text round trips of doubles may differ in the last bit).
            #expect(got.map { Float($0.value) } == points.map { Float($0.value) }, "\(tag): values")
        }
        #expect(expected["validation/auroc"]?.count == results.history.count)
        #expect(expected["learning_rate/\(results.history[0].phase)/group0"] != nil)
    }

    @Test func everyEpochScalarEqualsMetricsJSON() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let phases = [TrainingPhase(name: "head", epochs: 1, learningRate: 1e-2),
                      TrainingPhase(name: "all", epochs: 2, learningRate: 1e-3)]
        _ = try TrainerTests.train(folder, configuration: TrainerTests.configuration(phases: phases))
        let run = RunFolder(folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: run.tensorboardURL.path)
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."))
        try Self.compare(run)
    }

    @Test func resumedRunDoesNotDoubleItsSteps() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = TrainerTests.configuration(epochs: 4)
        #expect(throws: SimulatedCrash.self) { try TrainerTests.train(folder, configuration: configuration, stopAfterEpoch: 2) }
        let run = RunFolder(folder)
        // A crash after epoch 3's scalars were written but before its checkpoint: the resumed run
        // repeats epoch 3, and its START marker must drop this stale value.
        let stale = try TensorBoardWriter(directory: run.tensorboardURL)
        try stale.write([("loss/training", 999), ("validation/auroc", -1)], step: 3)
        _ = try TrainerTests.train(folder, configuration: configuration, resume: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: run.tensorboardURL.path)
        #expect(files.count == 3)
        try Self.compare(run)
        if let read = try Self.readBack(run) {
            #expect(read["loss/training"]?.map(\.step) == [1, 2, 3, 4])
            #expect(read["loss/training"]?.contains { $0.value == 999 } == false)
        }
    }
}
