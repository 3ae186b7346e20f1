// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

/// U · diag(S) · Vh, batched.
private func reconstruct(_ u: Tensor, _ s: Tensor, _ vh: Tensor) throws -> Tensor {
    try (u * s.unsqueezed(axis: -2)).matmul(vh)
}

/// V · diag(λ) · Vᵀ, batched.
private func reconstructSymmetric(_ values: Tensor, _ vectors: Tensor) throws -> Tensor {
    try (vectors * values.unsqueezed(axis: -2)).matmul(vectors.transposed(-1, -2))
}

private func svdCase(_ x: [Tensor]) throws -> [Tensor] {
    let (u, s, vh) = try x[0].svd()
    return [s, try reconstruct(u, s, vh)]
}

private func eighCase(_ x: [Tensor]) throws -> [Tensor] {
    let (values, vectors) = try x[0].eigh()
    return [values, try vectors.abs(), try reconstructSymmetric(values, vectors)]
}

private func qrCase(_ x: [Tensor], complete: Bool) throws -> [Tensor] {
    let (q, r) = try x[0].qr(complete: complete)
    return [try q.matmul(r), try r.abs(), try Tensor(q.shape)]
}

extension OpCase {
    /// Mirrors `linalg()` in fixtures_ops.py. Decompositions are compared where they are unique: singular
    /// values and the reconstruction U·S·Vh (not the signs of U and V), eigenvalues, |eigenvectors| and
    /// V·Λ·Vᵀ, Q·R and |R|. LAPACK's iterative float32 algorithms and the extra matmul of a
    /// reconstruction round differently from run to run of the blocking, so float32 allows rtol 1e-4 and
    /// atol 1e-5; float64 keeps 1e-10.
    static let linalg: [OpCase] = {
        var cases: [OpCase] = []
        for (suffix, rtol, atol) in [("", 1e-4, 1e-5), ("_float64", 1e-10, 1e-10)] {
            cases += [
                OpCase("svd\(suffix)", rtol: rtol, atol: atol, outputs: svdCase),
                OpCase("svd_wide\(suffix)", rtol: rtol, atol: atol, outputs: svdCase),
                OpCase("svd_batched\(suffix)", rtol: rtol, atol: atol, outputs: svdCase),
                OpCase("svd_full\(suffix)", rtol: rtol, atol: atol, outputs: { x in
                    let (u, s, vh) = try x[0].svd(fullMatrices: true)
                    return [s, try Tensor(u.shape), try Tensor(vh.shape)]
                }),
                OpCase("eigh\(suffix)", rtol: rtol, atol: atol, outputs: eighCase),
                OpCase("eigh_upper\(suffix)", rtol: rtol, atol: atol, outputs: { x in
                    let (values, vectors) = try x[0].eigh(upper: true)
                    return [values, try vectors.abs()]
                }),
                OpCase("qr\(suffix)", rtol: rtol, atol: atol, outputs: { x in try qrCase(x, complete: false) }),
                OpCase("qr_complete\(suffix)", rtol: rtol, atol: atol, outputs: { x in try qrCase(x, complete: true) }),
                OpCase("pinv\(suffix)", rtol: rtol, atol: atol) { x in try x[0].pseudoInverse() },
                OpCase("pinv_hermitian\(suffix)", rtol: rtol, atol: atol) { x in
                    try x[0].pseudoInverse(hermitian: true)
                },
                OpCase("pinv_rank_deficient\(suffix)", rtol: rtol, atol: atol) { x in
                    try x[0].pseudoInverse(relativeTolerance: 1e-4)
                },
                OpCase("inv\(suffix)", rtol: rtol, atol: atol) { x in try x[0].inverse() },
                OpCase("inv_batched\(suffix)", rtol: rtol, atol: atol) { x in try x[0].inverse() },
                OpCase("cholesky\(suffix)", rtol: rtol, atol: atol) { x in try x[0].cholesky() },
            ]
        }
        return table("linalg", cases)
    }()
}

@Suite struct LinearAlgebraTests {
    @Test(arguments: OpCase.linalg)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("linalg", OpCase.linalg) }

    /// Structure the fixtures cannot show: orthonormal factors, a triangular R and L, descending singular
    /// values, ascending eigenvalues; in both float dtypes.
    @Test(arguments: [DType.float32, .float64])
    func factorsHaveTheirStructure(dtype: DType) throws {
        let tolerance = dtype == .float32 ? 1e-5 : 1e-12
        let fixture = try OpFixture("linalg")
        let suffix = dtype == .float32 ? "" : "_float64"
        let a = try fixture.required("qr\(suffix).in0")  // 5 × 4
        #expect(a.dtype == dtype)

        let (q, r) = try a.qr()
        #expect(q.shape == [5, 4] && r.shape == [4, 4])
        assertClose(try q.t().matmul(q), try Tensor.eye(4, dtype: dtype), rtol: 0, atol: tolerance, "QᵀQ")
        let rValues = try r.to(dtype: .float64).hostArray(of: Double.self)
        for row in 0 ..< 4 { for column in 0 ..< row { #expect(rValues[row * 4 + column] == 0, "R[\(row), \(column)]") } }
        let (qc, rc) = try a.qr(complete: true)
        #expect(qc.shape == [5, 5] && rc.shape == [5, 4])

        let (u, s, vh) = try a.svd()
        #expect(u.shape == [5, 4] && s.shape == [4] && vh.shape == [4, 4])
        assertClose(try u.t().matmul(u), try Tensor.eye(4, dtype: dtype), rtol: 0, atol: tolerance, "UᵀU")
        assertClose(try vh.matmul(vh.t()), try Tensor.eye(4, dtype: dtype), rtol: 0, atol: tolerance, "VhVhᵀ")
        let singular = try s.to(dtype: .float64).hostArray(of: Double.self)
        #expect(singular == singular.sorted(by: >))

        let spd = try fixture.required("cholesky\(suffix).in0")
        let (values, vectors) = try spd.eigh()
        let eigen = try values.to(dtype: .float64).hostArray(of: Double.self)
        #expect(eigen == eigen.sorted())
        assertClose(try vectors.t().matmul(vectors), try Tensor.eye(4, dtype: dtype), rtol: 0, atol: tolerance, "VᵀV")

        let l = try spd.cholesky()
        let lValues = try l.to(dtype: .float64).hostArray(of: Double.self)
        for row in 0 ..< 4 { for column in row + 1 ..< 4 { #expect(lValues[row * 4 + column] == 0) } }
        assertClose(try l.matmul(l.t()), spd, rtol: tolerance, atol: tolerance, "LLᵀ")
        assertClose(try spd.matmul(spd.inverse()), try Tensor.eye(4, dtype: dtype), rtol: 0, atol: tolerance * 10,
                    "A·A⁻¹")
        let pinv = try a.pseudoInverse()
        assertClose(try a.matmul(pinv).matmul(a), a, rtol: tolerance * 10, atol: tolerance * 10, "A·A⁺·A")
    }

    // Hand-computed cases.

    @Test func twoByTwoByHand() throws {
        let a = try Tensor([4, 7, 2, 6] as [Double], shape: [2, 2])
        // det = 10: inverse = [[0.6, -0.7], [-0.2, 0.4]].
        assertClose(try a.inverse(), try Tensor([0.6, -0.7, -0.2, 0.4] as [Double], shape: [2, 2]), rtol: 1e-12,
                    atol: 1e-14)
        let spd = try Tensor([4, 2, 2, 3] as [Double], shape: [2, 2])
        assertClose(try spd.cholesky(), try Tensor([2, 0, 1, 2.0.squareRoot()] as [Double], shape: [2, 2]),
                    rtol: 1e-12, atol: 1e-14)
        let (values, _) = try Tensor([2, 1, 1, 2] as [Double], shape: [2, 2]).eigh()
        assertClose(values, try Tensor([1, 3] as [Double]), rtol: 1e-12, atol: 1e-14)
        let (_, s, _) = try Tensor([3, 0, 0, -4] as [Double], shape: [2, 2]).svd()
        assertClose(s, try Tensor([4, 3] as [Double]), rtol: 1e-12, atol: 1e-14)
        // The pseudo-inverse of a rank-1 matrix [[1, 1], [1, 1]] is itself / 4.
        assertClose(try Tensor.ones([2, 2], dtype: .float64).pseudoInverse(),
                    try Tensor.full([2, 2], value: 0.25, dtype: .float64), rtol: 1e-12, atol: 1e-14)
    }
}
