// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

/// The Swift mirror of one case of `scripts/fixtures/fixtures_ops.py`: `body` applies the Swift API to the
/// case's inputs (`name.in0`, `name.in1`, ...) and must reproduce PyTorch's outputs (`name.out0`, ...).
/// Cases with stored weights `name.w` are also differentiated (see `AutogradTests`).
struct OpCase: Sendable, CustomTestStringConvertible {
    typealias Body = @Sendable ([Tensor]) throws -> [Tensor]

    var file = ""
    let name: String
    /// Tolerances for the outputs; integer and bool outputs are always compared exactly.
    var rtol = 1e-5
    var atol = 1e-6
    /// Tolerances for the gradients (default: the output tolerances).
    var gradientRtol: Double?
    var gradientAtol: Double?
    let body: Body

    /// A case with one output.
    init(_ name: String, rtol: Double = 1e-5, atol: Double = 1e-6, gradientRtol: Double? = nil,
         gradientAtol: Double? = nil, _ body: @escaping @Sendable ([Tensor]) throws -> Tensor) {
        self.name = name
        self.rtol = rtol
        self.atol = atol
        self.gradientRtol = gradientRtol
        self.gradientAtol = gradientAtol
        self.body = { [try body($0)] }
    }

    /// A case with several outputs (values and indices, chunks, ...).
    init(_ name: String, rtol: Double = 1e-5, atol: Double = 1e-6, gradientRtol: Double? = nil,
         gradientAtol: Double? = nil, outputs body: @escaping Body) {
        self.name = name
        self.rtol = rtol
        self.atol = atol
        self.gradientRtol = gradientRtol
        self.gradientAtol = gradientAtol
        self.body = body
    }

    var testDescription: String { "\(file)/\(name)" }

    /// The cases of one fixture file.
    static func table(_ file: String, _ cases: [OpCase]) -> [OpCase] {
        cases.map {
            var c = $0
            c.file = file
            return c
        }
    }
}

/// Reads one fixture file of the `ops` group.
struct OpFixture {
    let tensors: StateDict
    let metadata: [String: String]

    init(_ file: String) throws {
        let url = Fixtures(bundle: .module).url(file + ".safetensors")
        (tensors, metadata) = try SafeTensors.read(contentsOf: url)
    }

    /// The case names the fixture script wrote (metadata `cases`: JSON with `all` and `differentiable` lists),
    /// or only those with gradients.
    func caseNames(differentiable: Bool = false) -> [String] {
        guard let json = metadata["cases"]?.data(using: .utf8),
              let index = try? JSONSerialization.jsonObject(with: json) as? [String: [String]]
        else { return [] }
        return index[differentiable ? "differentiable" : "all"] ?? []
    }

    func inputs(_ name: String) -> [Tensor] { numbered(name, "in") }
    func outputs(_ name: String) -> [Tensor] { numbered(name, "out") }

    func numbered(_ name: String, _ kind: String) -> [Tensor] {
        var result: [Tensor] = []
        while let t = tensors["\(name).\(kind)\(result.count)"] { result.append(t) }
        return result
    }

    func required(_ key: String) throws -> Tensor { try tensors.required(key) }
}

/// Compares `actual` with PyTorch's `expected`: same dtype, and equal values (exactly for integer and
/// bool dtypes, within the tolerances for floating point).
func expectMatches(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double, _ label: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.dtype == expected.dtype, "\(label): dtype \(actual.dtype), PyTorch has \(expected.dtype)",
            sourceLocation: sourceLocation)
    if expected.dtype.isFloatingPoint {
        assertClose(actual, expected, rtol: rtol, atol: atol, label, sourceLocation: sourceLocation)
    } else {
        assertEqual(actual, expected, label, sourceLocation: sourceLocation)
    }
}

/// Runs a case on its fixture inputs and compares every output with PyTorch's.
func checkValues(_ opCase: OpCase) throws {
    let fixture = try OpFixture(opCase.file)
    let expected = fixture.outputs(opCase.name)
    try #require(!expected.isEmpty, "fixture \(opCase.file) has no outputs for '\(opCase.name)'")
    let actual = try opCase.body(fixture.inputs(opCase.name))
    try #require(actual.count == expected.count,
                 "\(opCase.name): \(actual.count) outputs, PyTorch has \(expected.count)")
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        expectMatches(a, e, rtol: opCase.rtol, atol: opCase.atol, "\(opCase.testDescription).out\(index)")
    }
}

/// Checks that a table has exactly the cases the fixture script wrote, so neither side drifts.
func checkCoverage(_ file: String, _ cases: [OpCase]) throws {
    let fixture = try OpFixture(file)
    let written = Set(fixture.caseNames())
    let mirrored = Set(cases.map(\.name))
    #expect(!written.isEmpty)
    #expect(written.subtracting(mirrored).sorted() == [], "cases in \(file).safetensors without a Swift mirror")
    #expect(mirrored.subtracting(written).sorted() == [], "Swift cases missing from \(file).safetensors")
    #expect(cases.count == mirrored.count, "duplicate case names in the \(file) table")
}

/// `values` as a float32 tensor of `shape`.
func floats(_ values: [Float], _ shape: [Int]? = nil) throws -> Tensor {
    try Tensor(values, shape: shape ?? [values.count])
}

/// `values` as an int64 tensor of `shape`.
func ints(_ values: [Int], _ shape: [Int]? = nil) throws -> Tensor {
    try Tensor(values, shape: shape ?? [values.count])
}
