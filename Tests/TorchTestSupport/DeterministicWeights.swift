// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// Fills every parameter and floating buffer of a model with values that depend only on the tensor's
/// key and shape, computed with integer tensor ops that give the same bits in PyTorch. The mirror is
/// `scripts/fixtures/deterministic.py`: parity fixtures then store only an input and the outputs,
/// never the weights (a few KB instead of hundreds of MB per architecture).
///
/// Rules (u ∈ [−1, 1] from a hash of key and element index): weights of rank ≥ 2 get u·√(6 / fan_in);
/// `running_var` 1 + u/4; `running_mean` u/10; other rank-1 `weight`s (norm scales) 1 + u/10; other
/// rank-1 tensors (biases) u/10; integer buffers are left alone.
public enum DeterministicWeights {
    public static func apply(to module: any Module) throws {
        for (key, tensor) in module.namedTensors() where tensor.dtype.isFloatingPoint {
            try tensor.copyInPlace(from: values(key: key, shape: tensor.shape).to(dtype: tensor.dtype))
        }
    }

    /// The float64 values for `key` and `shape`.
    public static func values(key: String, shape: [Int]) throws -> Tensor {
        let count = shape.reduce(1, *)
        let modulus = 2_147_483_647
        var h = try (Tensor.arange(to: Double(count), dtype: .int64) * 48271 + Int(seed(key))).remainder(modulus)
        h = try (h * h + 12345).remainder(modulus)
        h = try (h * h + 67890).remainder(modulus)
        let u = try (h.remainder(2001) - 1000).to(dtype: .float64) / 1000.0
        let name = key.split(separator: ".").last.map(String.init) ?? key
        let scaled: Tensor
        if shape.count >= 2 {
            let fanIn = shape.dropFirst().reduce(1, *)
            scaled = try u * (6.0 / Double(max(fanIn, 1))).squareRoot()
        } else if name == "running_var" {
            scaled = try u * 0.25 + 1.0
        } else if name == "running_mean" {
            scaled = try u * 0.1
        } else if name == "weight" {
            scaled = try u * 0.1 + 1.0
        } else {
            scaled = try u * 0.1
        }
        return try scaled.reshaped(to: shape)
    }

    /// 32-bit FNV-1a of the key's UTF-8 bytes, kept below 2^31.
    static func seed(_ key: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash & 0x7FFF_FFFF
    }
}
