// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

// Linear algebra on float32/float64 matrices (batched over leading axes). SVCCA promotes to
// float64 explicitly before calling these.
extension Tensor {
    /// Singular value decomposition `A = U · diag(S) · Vh` (`torch.linalg.svd`), singular values descending.
    public func svd(fullMatrices: Bool = false) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        var u: ctorch_tensor? = nil
        var s: ctorch_tensor? = nil
        var vh: ctorch_tensor? = nil
        try shimCall { ctorch_svd(rawHandle, fullMatrices, &u, &s, &vh, $0) }
        return (Tensor(adopting: u!), Tensor(adopting: s!), Tensor(adopting: vh!))
    }

    /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix (`torch.linalg.eigh`).
    public func eigh(upper: Bool = false) throws -> (eigenvalues: Tensor, eigenvectors: Tensor) {
        try shimTensorPair { ctorch_eigh(rawHandle, upper, $0, $1, $2) }
    }

    /// QR decomposition (`torch.linalg.qr`), reduced unless `complete`.
    public func qr(complete: Bool = false) throws -> (q: Tensor, r: Tensor) {
        try shimTensorPair { ctorch_qr(rawHandle, complete, $0, $1, $2) }
    }

    /// Moore–Penrose pseudo-inverse; singular values below `relativeTolerance` × the largest count as zero
    /// (nil: libtorch's default, machine epsilon × max(m, n)).
    public func pseudoInverse(relativeTolerance: Double? = nil, hermitian: Bool = false) throws -> Tensor {
        try shimTensor { ctorch_pinv(rawHandle, relativeTolerance ?? -1, hermitian, $0, $1) }
    }

    /// Matrix inverse; throws ``TorchError`` with kind `.linearAlgebra` for a singular matrix.
    public func inverse() throws -> Tensor {
        try shimTensor { ctorch_inv(rawHandle, $0, $1) }
    }

    /// Lower Cholesky factor of a symmetric positive-definite matrix.
    public func cholesky() throws -> Tensor {
        try shimTensor { ctorch_cholesky(rawHandle, $0, $1) }
    }
}
