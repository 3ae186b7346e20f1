// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// A seeded random number generator for libtorch's sampling ops (`torch.Generator`).
///
/// Pass one to ``Tensor/rand(_:generator:dtype:on:)`` and friends to make sampling reproducible
/// without touching process-wide state. Its state can be saved and restored, so a resumed run draws
/// the same numbers as an uninterrupted one.
public final class Generator {
    let rawHandle: ctorch_generator
    public let seed: UInt64
    public let device: Device

    public init(seed: UInt64, device: Device = .cpu) throws {
        var out: ctorch_generator? = nil
        try shimCall("Generator(seed:device:)") { ctorch_generator_new(seed, device.cValue, &out, $0) }
        rawHandle = out!
        self.seed = seed
        self.device = device
    }

    deinit {
        ctorch_generator_free(rawHandle)
    }

    /// The generator's full state as a uint8 tensor.
    public func state() throws -> Tensor {
        try shimTensor { ctorch_generator_get_state(rawHandle, $0, $1) }
    }

    /// Restores a state previously returned by ``state()``.
    public func setState(_ state: Tensor) throws {
        try shimCall { ctorch_generator_set_state(rawHandle, state.rawHandle, $0) }
    }
}
