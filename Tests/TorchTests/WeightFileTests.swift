// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

@Suite struct WeightFileTests {
    let fixtures = Fixtures(bundle: .module)

    @Test(arguments: ["serialization_zip.pth", "serialization_legacy.pth"])
    func pyTorchFilesAreRecognisedByContent(_ name: String) throws {
        // Copy under a misleading extension: the format comes from the bytes.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).bin")
        try FileManager.default.copyItem(at: fixtures.url(name), to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let viaDispatch = try WeightFile.read(contentsOf: copy)
        let direct = try PyTorchCheckpoint.read(contentsOf: fixtures.url(name))
        #expect(viaDispatch.keys == direct.keys)
        for key in direct.keys { assertEqual(try viaDispatch.required(key), try direct.required(key), key) }
    }

    @Test func safetensorsRoundTripThroughWeightFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let original = try StateDict([("conv.weight", try Tensor.randn([2, 1, 3, 3])), ("steps", try Tensor([7], shape: [1]))])
        try WeightFile.write(original, to: url)
        let loaded = try WeightFile.read(contentsOf: url)
        #expect(loaded.keys == original.keys)
        assertEqual(try loaded.required("conv.weight"), try original.required("conv.weight"))
    }

    @Test func missingAndUnknownFilesAreNamed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/scalpel/weights.pth")
        #expect(throws: SerializationError(source: missing.path, reason: "no such file")) {
            try WeightFile.read(contentsOf: missing)
        }
        let text = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).pth")
        try Data("definitely not weights".utf8).write(to: text)
        defer { try? FileManager.default.removeItem(at: text) }
        let error = #expect(throws: SerializationError.self) { try WeightFile.read(contentsOf: text) }
        #expect(error?.source == text.path)
        #expect(error?.reason.contains("neither a safetensors file nor a PyTorch") == true)
    }
}
