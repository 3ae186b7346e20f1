// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Torch

/// `--precision` of eval-mode commands (evaluate, predict): the forward pass's arithmetic.
struct InferencePrecisionOptions: ParsableArguments {
    @Option(help: "Arithmetic of the forward pass: fp32, or bf16 (autocast; fast on CPUs with AVX512-BF16/AMX and on GPUs; weights stay fp32).")
    var precision: String = "fp32"

    func validate() throws { _ = try parsed() }

    func parsed() throws -> Precision {
        let value: Precision
        do { value = try Precision(parsing: precision) } catch let error as TorchError {
            throw ValidationError("--precision: \(error.message)")
        }
        guard value != .fp16 else {
            throw ValidationError("--precision fp16 is for training on CUDA; for inference use bf16 or fp32.")
        }
        return value
    }

    /// The validated precision for `device`; a CPU without native bfloat16 gets a warning on standard
    /// error (bf16 then runs emulated, usually slower than fp32), never a silent slowdown.
    func resolve(on device: Device) throws -> Precision {
        let value = try parsed()
        if let warning = try value.validate(on: device) { FileHandleOutput.standardError("warning: \(warning)\n") }
        return value
    }
}
