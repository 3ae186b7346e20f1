// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

/// Reading `torch.save` files (both formats) and safetensors, against values PyTorch wrote
/// (`scripts/fixtures/fixtures_serialization.py`), plus hostile, damaged and hand-made files.
@Suite struct SerializationTests {
    let fixtures = Fixtures(bundle: .module)

    /// The key order of `dtype_tensors()` in the fixture script.
    static let keys = ["f32", "f64", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool", "scalar", "empty",
                       "transposed", "permuted", "sliced", "broadcast", "shared_a", "shared_b"]
    /// What `make_fixtures.py` would create if one of the hostile pickles were ever executed.
    static let pwnedPath = "/tmp/scalpel-serialization-pwned"

    /// Records an issue unless both tensors have the same dtype, shape and bytes.
    func expectIdentical(_ actual: Tensor, _ expected: Tensor, _ label: String,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(actual.dtype == expected.dtype, "\(label) dtype", sourceLocation: sourceLocation)
        #expect(actual.shape == expected.shape, "\(label) shape", sourceLocation: sourceLocation)
        #expect(try actual.hostBytes() == expected.hostBytes(), "\(label) bytes", sourceLocation: sourceLocation)
        if actual.dtype == expected.dtype { assertEqual(actual, expected, label, sourceLocation: sourceLocation) }
    }

    /// Reads a fixture that must fail and returns the error.
    func readFailure(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> SerializationError? {
        let error = #expect(throws: SerializationError.self, sourceLocation: sourceLocation) {
            try PyTorchCheckpoint.read(contentsOf: fixtures.url(name))
        }
        #expect(error?.source == fixtures.url(name).path, sourceLocation: sourceLocation)
        return error
    }

    // MARK: torch.save files

    @Test(arguments: ["serialization_zip.pth", "serialization_legacy.pth", "serialization_protocol4.pth",
                      "serialization_zip64.pth"])
    func everyDTypeAndViewMatchesPyTorch(_ file: String) throws {
        let loaded = try PyTorchCheckpoint.read(contentsOf: fixtures.url(file))
        let expected = try fixtures.tensors("serialization_expected")
        #expect(loaded.keys == Self.keys)
        for key in Self.keys {
            let tensor = try loaded.required(key)
            try expectIdentical(tensor, try expected.required(key), "\(file) \(key)")
            #expect(tensor.isContiguous(), "\(key) is contiguous")
            #expect(tensor.device == .cpu)
            #expect(!tensor.requiresGradient)
        }
        #expect(Set(loaded.entries.map(\.tensor.dtype)) == Set(DType.allCases))
    }

    @Test func literalValuesAndLayouts() throws {
        let loaded = try PyTorchCheckpoint.read(contentsOf: fixtures.url("serialization_legacy.pth"))
        #expect(try loaded.required("f32").hostArray(of: Float.self) == [-0.5, -0.25, 0, 0.25, 0.5, 0.75])
        let transposed = try loaded.required("transposed")
        #expect(transposed.shape == [4, 3])
        #expect(transposed.strides == [3, 1])
        #expect(try transposed.hostArray(of: Float.self) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(try loaded.required("broadcast").hostArray(of: Float.self) == [1, 2, 3, 1, 2, 3])
        #expect(try loaded.required("i64").hostArray(of: Int64.self) == [-3, 0, 7, 1 << 40, -(1 << 40), 1])
        #expect(try loaded.required("i32").hostArray(of: Int32.self) == [.min, -1, 0, .max])
        #expect(try loaded.required("i16").hostArray(of: Int16.self) == [.min, 5, .max])
        #expect(try loaded.required("i8").hostArray(of: Int8.self) == [.min, 0, .max])
        #expect(try loaded.required("u8").hostArray(of: UInt8.self) == [0, 1, 128, 255])
        #expect(try loaded.required("bool").hostArray(of: Bool.self) == [true, false, true, true])
        let scalar = try loaded.required("scalar")
        #expect(scalar.shape == [])
        #expect(try scalar.item() == 2.5)
        #expect(try loaded.required("empty").shape == [0, 3])
    }

    @Test func tensorsSharingAStorageComeOutIndependent() throws {
        for file in ["serialization_zip.pth", "serialization_legacy.pth"] {
            let loaded = try PyTorchCheckpoint.read(contentsOf: fixtures.url(file))
            let a = try loaded.required("shared_a"), b = try loaded.required("shared_b")
            #expect(a.shape == [2, 3])
            #expect(try a.hostArray(of: Float.self) == [2, 3, 4, 5, 6, 7].map { Float($0) * 1.5 })
            #expect(try b.hostArray(of: Float.self) == [5, 8, 11, 14, 17].map { Float($0) * 1.5 })
            #expect(!a.sharesStorage(with: b))
            try a.fillInPlace(-1)
            #expect(try b.hostArray(of: Float.self) == [5, 8, 11, 14, 17].map { Float($0) * 1.5 }, "\(file): writing one must not change the other")
        }
    }

    @Test func trainingCheckpointsAreUnwrapped() throws {
        let wrapped = try PyTorchCheckpoint.read(contentsOf: fixtures.url("serialization_wrapped.pth"))
        #expect(wrapped.keys == Self.keys)
        try expectIdentical(try wrapped.required("transposed"),
                            try fixtures.tensor("serialization_expected", "transposed"), "wrapped transposed")
        let model = try PyTorchCheckpoint.read(contentsOf: fixtures.url("serialization_wrapped_model_legacy.pth"))
        #expect(model.keys == ["weight", "bias"])
        try expectIdentical(try model.required("bias"), try fixtures.tensor("serialization_expected", "i64"), "model bias")
    }

    @Test func parametersAreReadAsPlainTensors() throws {
        let loaded = try PyTorchCheckpoint.read(contentsOf: fixtures.url("serialization_parameters.pth"))
        #expect(loaded.keys == ["weight", "frozen"])
        try expectIdentical(try loaded.required("weight"), try fixtures.tensor("serialization_expected", "f32"), "weight")
        try expectIdentical(try loaded.required("frozen"), try fixtures.tensor("serialization_expected", "f64"), "frozen")
        #expect(try !loaded.required("weight").requiresGradient)
    }

    @Test func torchvisionStyleStateDict() throws {
        let loaded = try PyTorchCheckpoint.read(contentsOf: fixtures.url("serialization_sequential.pth"))
        let expected = try fixtures.tensors("serialization_sequential_expected")
        #expect(loaded.keys == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                "1.num_batches_tracked", "4.weight", "4.bias"])
        for key in loaded.keys { try expectIdentical(try loaded.required(key), try expected.required(key), key) }
        let tracked = try loaded.required("1.num_batches_tracked")
        #expect(tracked.dtype == .int64 && tracked.shape == [])
        #expect(try tracked.item() == 1)
        #expect(try loaded.required("0.weight").shape == [4, 3, 3, 3])
        #expect(loaded.elementCount == 4 * 27 + 4 + 4 * 4 + 1 + 2 * 36 + 2)
    }

    // MARK: Refused files

    @Test(arguments: [("serialization_hostile_zip.pth", "os.system"), ("serialization_hostile_legacy.pth", "os.system"),
                      ("serialization_hostile_eval.pth", "builtins.eval")])
    func hostileGlobalsAreRefusedAndNothingRuns(_ file: String, _ global: String) throws {
        try? FileManager.default.removeItem(atPath: Self.pwnedPath)
        let error = readFailure(file)
        #expect(error?.reason.contains("refuses to load global '\(global)'") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: Self.pwnedPath), "the hostile pickle ran")
    }

    @Test func contentThatIsNotAStateDictIsNamed() {
        let none = readFailure("serialization_no_tensors.pth")
        #expect(none?.reason.contains("'epoch': int") == true && none?.reason.contains("'arch': str") == true,
                "\(String(describing: none))")
        let mixed = readFailure("serialization_mixed.pth")
        #expect(mixed?.reason.contains("entry 'epoch' is an int, not a tensor") == true, "\(String(describing: mixed))")
        let list = readFailure("serialization_list.pth")
        #expect(list?.reason.contains("holds a list of 1, not a dict") == true, "\(String(describing: list))")
    }

    @Test(arguments: [
        ("serialization_truncated.pth", "no end-of-central-directory record"),
        ("serialization_truncated_legacy.pth", "storage data"),
        ("serialization_deflated.pth", "is compressed (deflate)"),
        ("serialization_bigendian.pth", "only little-endian"),
        ("serialization_missing_storage.pth", "has no entry 'serialization_zip/data/0'"),
        ("serialization_expected.safetensors", "is not a torch.save file"),
        ("no_such_file.pth", "cannot be read"),
    ])
    func damagedFilesThrowClearErrors(_ file: String, _ fragment: String) {
        let error = readFailure(file)
        #expect(error?.reason.contains(fragment) == true, "\(String(describing: error))")
    }

    /// Every strict prefix of a valid file, and every single-byte corruption, either loads or throws a
    /// ``SerializationError``: never a crash, a hang or another error.
    @Test(arguments: ["serialization_legacy.pth", "serialization_zip.pth"])
    func truncationsAndCorruptionsNeverCrash(_ file: String) throws {
        let data = try Data(contentsOf: fixtures.url(file))
        func attempt(_ bytes: Data, _ what: String) -> Bool {
            do {
                _ = try PyTorchCheckpoint.read(bytes, source: what)
                return true
            } catch is SerializationError {
                return false
            } catch {
                Issue.record("\(what): threw \(error) instead of a SerializationError")
                return false
            }
        }
        for length in 0 ..< data.count where attempt(data.prefix(length), "prefix \(length)") {
            Issue.record("\(file) cut to \(length) of \(data.count) bytes loaded without an error")
        }
        var loaded = 0
        // Every byte of the small legacy file; every other byte of the larger zip keeps the test quick.
        for position in stride(from: 0, to: data.count, by: data.count > 4096 ? 2 : 1) {
            var corrupt = data
            corrupt[position] ^= 0xA5
            if attempt(corrupt, "byte \(position) flipped") { loaded += 1 }
        }
        #expect(loaded < data.count / 2, "most corruptions must be detected")
    }

    /// Hand-written main pickles after a valid legacy header: unknown opcodes and malformed programs fail
    /// with a message saying what was found.
    @Test(arguments: [
        ([0x80, 0x02, 0xFF], "unsupported pickle opcode 0xFF"),
        ([0x80, 0x02, 0x69] + Array("os\nsystem\n".utf8), "unsupported pickle opcode 0x69"),  // INST
        ([0x80, 0x02, 0x73, 0x2E], "stack is empty"),
        ([0x80, 0x02, 0x68, 0x07, 0x2E], "memo entry 7"),
        ([0x80, 0x02, 0x7D, 0x7D, 0x2E], "STOP with 2 values"),
        ([0x80, 0x02, 0x7D], "expected a pickle opcode"),
        ([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F], "BINUNICODE string"),
        ([0x80, 0x07], "pickle protocol 7"),
        ([0x80, 0x02, 0x4B, 0x01, 0x51, 0x2E], "persistent id is an int"),
        ([0x80, 0x02, 0x63] + Array("posix\nsystem\n".utf8), "refuses to load global 'posix.system'"),
        ([0x80, 0x02, 0x63] + Array("torch\nFloatStorage\n".utf8) + [0x29, 0x52, 0x2E], "may only name a storage type"),
        ([0x80, 0x02, 0x4B, 0x01, 0x7D, 0x62, 0x2E], "BUILD (setting state dict of 0) on an int"),
    ] as [([UInt8], String)])
    func malformedPicklesAreReported(_ pickle: [UInt8], _ fragment: String) throws {
        var data = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        data.append(contentsOf: pickle)
        let error = #expect(throws: SerializationError.self) { try PyTorchCheckpoint.read(data, source: "hand-made") }
        #expect(error?.reason.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.reason.contains("legacy main pickle") == true)
    }

    @Test func exponentiallyNestedKeysDoNotHang() throws {
        var data = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        // {((1, 1), (1, 1)) ... nested 40 times: 0}: 2^40 leaves reachable through shared tuples.
        data.append(contentsOf: [0x80, 0x02, 0x7D, 0x4B, 0x01] + Array(repeating: [0x32, 0x86], count: 40).flatMap { $0 }
                    + [0x4B, 0x00, 0x73, 0x2E])
        let error = #expect(throws: SerializationError.self) { try PyTorchCheckpoint.read(data, source: "hand-made") }
        #expect(error?.reason.contains("unhashable or too deeply nested") == true, "\(String(describing: error))")
    }

    /// A legacy file holding one float32 tensor `w` built by `_rebuild_tensor_v2` from a storage of
    /// `storageCount` elements valued 0, 1, 2, ...; `headerCount` is the element count written before the data.
    static func handMadeTensorFile(header: Data, shape: [Int], strides: [Int], offset: Int, storageCount: Int,
                                   headerCount: Int? = nil, storageModule: String = "torch",
                                   storageType: String = "FloatStorage", storageBytes: [UInt8]? = nil) -> Data {
        func int(_ value: Int) -> [UInt8] { [0x4A] + withUnsafeBytes(of: Int32(truncatingIfNeeded: value).littleEndian, Array.init) }
        func str(_ text: String) -> [UInt8] {
            [0x58] + withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian, Array.init) + Array(text.utf8)
        }
        func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
        func tuple(_ items: [[UInt8]]) -> [UInt8] { [0x28] + items.flatMap { $0 } + [0x74] }
        let persistentID = tuple([str("storage"), global(storageModule, storageType), str("0"), str("cpu"), int(storageCount)]) + [0x51]
        let arguments = tuple([persistentID, int(offset), tuple(shape.map(int)), tuple(strides.map(int)), [0x89],
                               global("collections", "OrderedDict") + [0x29, 0x52]])
        var data = header
        // {"_metadata": {}, "w": tensor}: a `_metadata` entry is skipped.
        data.append(contentsOf: [0x80, 0x02, 0x7D] + str("_metadata") + [0x7D, 0x73] + str("w") + global("torch._utils", "_rebuild_tensor_v2") + arguments
                    + [0x52, 0x73, 0x2E])
        data.append(contentsOf: [0x80, 0x02, 0x5D] + str("0") + [0x61, 0x2E])
        withUnsafeBytes(of: UInt64(headerCount ?? storageCount).littleEndian) { data.append(contentsOf: $0) }
        if let storageBytes {
            data.append(contentsOf: storageBytes)
        } else {
            for value in 0 ..< storageCount { withUnsafeBytes(of: Float(value)) { data.append(contentsOf: $0) } }
        }
        return data
    }

    @Test(arguments: [
        ([2, 3], [0, 1], 0, 3, [0, 1, 2, 0, 1, 2]),  // broadcast rows
        ([2, 2], [1, 2], 1, 5, [1, 3, 2, 4]),  // a transposed view at an offset
        ([3], [2], 0, 5, [0, 2, 4]),  // a step
        ([2, 1, 2], [1, 7, 2], 0, 4, [0, 2, 1, 3]),  // a size-1 dimension with an arbitrary stride
        ([], [], 4, 5, [4]),  // 0-dim at an offset
        ([0, 4], [4, 1], 0, 0, []),  // empty storage
    ] as [([Int], [Int], Int, Int, [Float])])
    func handMadeViewsAreGathered(_ shape: [Int], _ strides: [Int], _ offset: Int, _ storageCount: Int,
                                  _ expected: [Float]) throws {
        let header = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        let file = Self.handMadeTensorFile(header: header, shape: shape, strides: strides, offset: offset,
                                           storageCount: storageCount)
        let loaded = try PyTorchCheckpoint.read(file, source: "hand-made")
        #expect(loaded.keys == ["w"])
        let tensor = try loaded.required("w")
        #expect(tensor.shape == shape)
        #expect(try tensor.hostArray(of: Float.self) == expected)
    }

    @Test(arguments: [
        ([2, 2], [2, 1], 2, 5, nil, "reaches element 5 but its storage '0' holds 5 elements"),
        ([2], [1, 1], 0, 4, nil, "is malformed"),
        ([-1], [1], 0, 4, nil, "is malformed"),
        ([1 << 20, 1 << 10], [0, 0], 0, 1, nil, "views larger than 64 MiB that repeat elements are refused"),
        ([0x7FFF_FFFF, 0x7FFF_FFFF, 0x7FFF_FFFF], [0, 0, 0], 0, 1, nil, "overflows"),
        ([3], [1], 0, 3, 2, "should hold 3 elements but its header says 2"),
    ] as [([Int], [Int], Int, Int, Int?, String)])
    func handMadeViewsOutsideTheirStorageAreRefused(_ shape: [Int], _ strides: [Int], _ offset: Int, _ storageCount: Int,
                                                    _ headerCount: Int?, _ fragment: String) throws {
        let header = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        let file = Self.handMadeTensorFile(header: header, shape: shape, strides: strides, offset: offset,
                                           storageCount: storageCount, headerCount: headerCount)
        let error = #expect(throws: SerializationError.self) { try PyTorchCheckpoint.read(file, source: "hand-made") }
        #expect(error?.reason.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func boolBytesOtherThanZeroAndOneAreReadAsTrue() throws {
        let header = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        for strides in [[1], [2]] {  // contiguous, and a strided view
            let file = Self.handMadeTensorFile(header: header, shape: [3], strides: strides, offset: 0, storageCount: 6,
                                               storageType: "BoolStorage", storageBytes: [0, 2, 1, 0, 255, 7])
            let tensor = try PyTorchCheckpoint.read(file, source: "hand-made").required("w")
            #expect(tensor.dtype == .bool)
            #expect(try tensor.hostBytes() == [0, 1, 1])  // from [0, 2, 1] and from [0, 1, 255]
            #expect(try tensor.hostArray(of: Bool.self) == [false, true, true])
        }
    }

    @Test func olderCUDAStorageTypesLoadToTheCPU() throws {
        let header = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        let file = Self.handMadeTensorFile(header: header, shape: [2], strides: [1], offset: 1, storageCount: 3,
                                           storageModule: "torch.cuda")
        let tensor = try PyTorchCheckpoint.read(file, source: "hand-made").required("w")
        #expect(tensor.device == .cpu)
        #expect(try tensor.hostArray(of: Float.self) == [1, 2])
    }

    @Test func emptyStateDictAndIgnoredMetadata() throws {
        var data = try Data(contentsOf: fixtures.url("serialization_legacy_header.bin"))
        // OrderedDict() holding only a `_metadata` entry and with `_metadata` set by BUILD (as
        // module.state_dict() pickles), then the empty key list.
        data.append(contentsOf: [0x80, 0x02, 0x63] + Array("collections\nOrderedDict\n".utf8) + [0x29, 0x52])
        data.append(contentsOf: [0x58, 0x09, 0, 0, 0] + Array("_metadata".utf8) + [0x7D, 0x73, 0x7D])
        data.append(contentsOf: [0x58, 0x09, 0, 0, 0] + Array("_metadata".utf8) + [0x7D, 0x73, 0x62, 0x2E])
        data.append(contentsOf: [0x80, 0x02, 0x5D, 0x2E])
        let loaded = try PyTorchCheckpoint.read(data, source: "hand-made")
        #expect(loaded.isEmpty)
    }

    // MARK: safetensors

    @Test func safetensorsWrittenByPythonHoldEveryDType() throws {
        let (tensors, metadata) = try SafeTensors.read(contentsOf: fixtures.url("serialization_expected.safetensors"))
        #expect(Set(tensors.keys) == Set(Self.keys))
        #expect(Set(tensors.entries.map(\.tensor.dtype)) == Set(DType.allCases))
        #expect(metadata == ["format": "pt", "producer": "fixtures_serialization.py"])
        #expect(try tensors.required("f32").hostArray(of: Float.self) == [-0.5, -0.25, 0, 0.25, 0.5, 0.75])
        #expect(try tensors.required("transposed").hostArray(of: Float.self) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        let pth = try PyTorchCheckpoint.read(contentsOf: fixtures.url("serialization_zip.pth"))
        for key in Self.keys { try expectIdentical(try tensors.required(key), try pth.required(key), "safetensors \(key)") }
    }

    @Test func safetensorsRoundTripPreservesEverything() throws {
        let source = try fixtures.tensors("serialization_expected")
        // A deliberate order (not alphabetical, not the file's), an empty tensor followed by one whose name
        // sorts before it (both start at the same offset) and a view.
        let order = ["shared_b", "i8", "empty", "bool"] + Self.keys.filter { !["shared_b", "i8", "empty", "bool"].contains($0) }
        var tensors = try StateDict(order.map { ($0, try source.required($0)) })
        tensors["view.t"] = try source.required("transposed").t()
        let metadata = ["format": "pt", "note": "ünïcode, \"quotes\""]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-roundtrip-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        let (back, backMetadata) = try SafeTensors.read(contentsOf: url)
        #expect(back.keys == tensors.keys)
        #expect(backMetadata == metadata)
        for (key, tensor) in tensors.entries { try expectIdentical(try back.required(key), tensor, "round trip \(key)") }
        #expect(try back.required("view.t").hostArray(of: Float.self) == Array(0 ..< 12).map(Float.init))
    }

    @Test func corruptSafetensorsThrow() throws {
        let good = try SafeTensors.encode(try StateDict([("w", try Tensor([Float(1), 2, 3]))]))
        _ = try SafeTensors.read(good, source: "good")
        let headerLength = Int(good[0])
        func header(_ json: String) -> Data {
            var bytes = Data()
            var length = UInt64(json.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: Array(json.utf8))
            bytes.append(contentsOf: [UInt8](repeating: 0, count: 12))
            return bytes
        }
        var notJSON = good
        notJSON[8] = UInt8(ascii: "x")
        var tooLong = good
        tooLong[5] = 0x01
        let cases: [(Data, String)] = [
            (notJSON, "not a JSON object"),
            (tooLong, "does not fit the file"),
            (good.prefix(5), "too short"),
            (good.prefix(8 + headerLength + 4), "do not match"),
            (header(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,12]}}"#), "do not match"),
            (header(#"{"w":{"dtype":"F32","shape":[-1,-3],"data_offsets":[0,12]}}"#), "do not match"),
            (header(#"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#), "dtype C64"),
            (header(#"{"w":{"dtype":"F32","shape":[3]}}"#), "lacks dtype, shape or data_offsets"),
        ]
        for (data, fragment) in cases {
            let error = #expect(throws: SerializationError.self) { try SafeTensors.read(data, source: "corrupt") }
            #expect(error?.reason.contains(fragment) == true, "expected '\(fragment)': \(String(describing: error))")
        }
    }
}
