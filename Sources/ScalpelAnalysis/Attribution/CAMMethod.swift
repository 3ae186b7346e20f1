// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// How a gradient-weighted class activation map weighs the channels of the activation `A` at a cut
/// point, from the gradient `g = ∂y_c/∂A` of the target score `y_c` (the raw logit of class `c`).
/// The map is then `ReLU(Σ_k w_k A_k)`.
public enum CAMMethod: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Grad-CAM (Selvaraju et al. 2017): `w_k = mean_ab g_kab`.
    case gradCAM = "gradcam"
    /// Grad-CAM++ (Chattopadhay et al. 2018) in the form of jacobgil's pytorch-grad-cam, the paper's
    /// Eq. 19: `α_kab = g² / (2 g² + (Σ_ab A_kab) g³ + 1e-6)`, `α = 0` where `g = 0`, and
    /// `w_k = Σ_ab α_kab ReLU(g_kab)`.
    ///
    /// MONAI's `GradCAMpp` differs and is not interchangeable: its denominator sums `A_ab g_ab³`
    /// position by position (`Σ_ab A_kab g_kab³` rather than `(Σ_ab A_kab) g³`), and it weighs with
    /// `ReLU(exp(y_c) g)`. Eq. 19 assumes an exponential output (pytorch-grad-cam issue #369); with
    /// the raw logit as target, as here and in pytorch-grad-cam, it is a heuristic.
    case gradCAMPlusPlus = "gradcam++"

    public var description: String { rawValue }

    /// Channel weights `[N, K]` from activations and gradients `[N, K, h, w]` (same dtype and device).
    public func channelWeights(activations: Tensor, gradients: Tensor) throws -> Tensor {
        switch self {
        case .gradCAM:
            return try gradients.mean(axes: [2, 3])
        case .gradCAMPlusPlus:
            let squared = try gradients.square()
            let cubed = try squared * gradients
            let activationSums = try activations.sum(axes: [2, 3], keepDimensions: true)
            let alpha = try squared / (2 * squared + activationSums * cubed + 1e-6)
            let used = try gradients.ne(0).to(dtype: alpha.dtype)
            return try (alpha * used * gradients.relu()).sum(axes: [2, 3])
        }
    }
}
