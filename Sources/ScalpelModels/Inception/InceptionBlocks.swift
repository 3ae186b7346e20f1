// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// torchvision's `BasicConv2d`: a bias-free convolution, batch norm (eps 0.001) and ReLU.
/// Keys: `conv.weight`, `bn.{weight,bias,running_mean,running_var,num_batches_tracked}`.
final class BasicConv2d: Layer {
    let conv: Conv2d, bn: BatchNorm2d

    init(_ input: Int, _ output: Int, kernel: Size2d, stride: Int = 1, padding: Size2d = 0,
         generator: Generator?) throws {
        conv = try Conv2d(inputChannels: input, outputChannels: output, kernelSize: kernel, stride: Size2d(stride),
                          padding: padding, bias: false, generator: generator)
        bn = try BatchNorm2d(featureCount: output, eps: 0.001)
    }

    var namedChildren: [(String, any Module)] { [("conv", conv), ("bn", bn)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try conv(input, normalizedBy: bn, activation: .relu) }
}

/// An Inception block: parallel branches of ``BasicConv2d`` chains (and a pooling branch), their
/// outputs concatenated along the channels. The branch layers are registered under torchvision's
/// names in torchvision's order; `forward` says how they connect.
final class InceptionBlock: Layer {
    let named: [(String, BasicConv2d)]
    let outputChannels: Int
    private let body: (InceptionBlock, Tensor) throws -> Tensor

    init(_ named: [(String, BasicConv2d)], outputChannels: Int,
         forward body: @escaping (InceptionBlock, Tensor) throws -> Tensor) {
        self.named = named
        self.outputChannels = outputChannels
        self.body = body
    }

    var namedChildren: [(String, any Module)] { named.map { ($0.0, $0.1 as any Module) } }

    /// The branch layer called `name` (a programming error if there is none).
    subscript(_ name: String) -> BasicConv2d { named.first { $0.0 == name }!.1 }

    /// Applies the layers called `names` in order.
    func chain(_ names: String..., to input: Tensor) throws -> Tensor {
        try names.reduce(input) { try self[$1]($0) }
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try body(self, input) }

    /// The 3×3 stride-1 average pool (zero padding counted) that feeds `branch_pool` in A, C and E.
    static func averagePool(_ x: Tensor) throws -> Tensor {
        try x.avgPool2d(kernelSize: (3, 3), stride: (1, 1), padding: (1, 1), ceilMode: false, countIncludePad: true)
    }

    static func maxPool(_ x: Tensor) throws -> Tensor {
        try x.maxPool2d(kernelSize: (3, 3), stride: (2, 2))
    }

    /// `InceptionA(in, pool_features)`: 1×1, 5×5, double 3×3 and pool branches (35×35 grid).
    static func a(_ input: Int, poolFeatures: Int, generator g: Generator?) throws -> InceptionBlock {
        InceptionBlock([
            ("branch1x1", try BasicConv2d(input, 64, kernel: 1, generator: g)),
            ("branch5x5_1", try BasicConv2d(input, 48, kernel: 1, generator: g)),
            ("branch5x5_2", try BasicConv2d(48, 64, kernel: 5, padding: 2, generator: g)),
            ("branch3x3dbl_1", try BasicConv2d(input, 64, kernel: 1, generator: g)),
            ("branch3x3dbl_2", try BasicConv2d(64, 96, kernel: 3, padding: 1, generator: g)),
            ("branch3x3dbl_3", try BasicConv2d(96, 96, kernel: 3, padding: 1, generator: g)),
            ("branch_pool", try BasicConv2d(input, poolFeatures, kernel: 1, generator: g)),
        ], outputChannels: 224 + poolFeatures) { b, x in
            try Tensor.cat([b.chain("branch1x1", to: x), b.chain("branch5x5_1", "branch5x5_2", to: x),
                            b.chain("branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3", to: x),
                            b.chain("branch_pool", to: averagePool(x))], axis: 1)
        }
    }

    /// `InceptionB(in)`: grid reduction 35 → 17 (stride-2 3×3, double 3×3 and max-pool branches).
    static func b(_ input: Int, generator g: Generator?) throws -> InceptionBlock {
        InceptionBlock([
            ("branch3x3", try BasicConv2d(input, 384, kernel: 3, stride: 2, generator: g)),
            ("branch3x3dbl_1", try BasicConv2d(input, 64, kernel: 1, generator: g)),
            ("branch3x3dbl_2", try BasicConv2d(64, 96, kernel: 3, padding: 1, generator: g)),
            ("branch3x3dbl_3", try BasicConv2d(96, 96, kernel: 3, stride: 2, generator: g)),
        ], outputChannels: 480 + input) { b, x in
            try Tensor.cat([b.chain("branch3x3", to: x),
                            b.chain("branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3", to: x),
                            maxPool(x)], axis: 1)
        }
    }

    /// `InceptionC(in, channels_7x7)`: factorised 7×7 branches (17×17 grid).
    static func c(_ input: Int, channels7x7 c7: Int, generator g: Generator?) throws -> InceptionBlock {
        let row = Size2d(1, 7), rowPad = Size2d(0, 3)
        let column = Size2d(7, 1), columnPad = Size2d(3, 0)
        return InceptionBlock([
            ("branch1x1", try BasicConv2d(input, 192, kernel: 1, generator: g)),
            ("branch7x7_1", try BasicConv2d(input, c7, kernel: 1, generator: g)),
            ("branch7x7_2", try BasicConv2d(c7, c7, kernel: row, padding: rowPad, generator: g)),
            ("branch7x7_3", try BasicConv2d(c7, 192, kernel: column, padding: columnPad, generator: g)),
            ("branch7x7dbl_1", try BasicConv2d(input, c7, kernel: 1, generator: g)),
            ("branch7x7dbl_2", try BasicConv2d(c7, c7, kernel: column, padding: columnPad, generator: g)),
            ("branch7x7dbl_3", try BasicConv2d(c7, c7, kernel: row, padding: rowPad, generator: g)),
            ("branch7x7dbl_4", try BasicConv2d(c7, c7, kernel: column, padding: columnPad, generator: g)),
            ("branch7x7dbl_5", try BasicConv2d(c7, 192, kernel: row, padding: rowPad, generator: g)),
            ("branch_pool", try BasicConv2d(input, 192, kernel: 1, generator: g)),
        ], outputChannels: 768) { b, x in
            try Tensor.cat([b.chain("branch1x1", to: x), b.chain("branch7x7_1", "branch7x7_2", "branch7x7_3", to: x),
                            b.chain("branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4",
                                    "branch7x7dbl_5", to: x),
                            b.chain("branch_pool", to: averagePool(x))], axis: 1)
        }
    }

    /// `InceptionD(in)`: grid reduction 17 → 8.
    static func d(_ input: Int, generator g: Generator?) throws -> InceptionBlock {
        InceptionBlock([
            ("branch3x3_1", try BasicConv2d(input, 192, kernel: 1, generator: g)),
            ("branch3x3_2", try BasicConv2d(192, 320, kernel: 3, stride: 2, generator: g)),
            ("branch7x7x3_1", try BasicConv2d(input, 192, kernel: 1, generator: g)),
            ("branch7x7x3_2", try BasicConv2d(192, 192, kernel: Size2d(1, 7),
                                              padding: Size2d(0, 3), generator: g)),
            ("branch7x7x3_3", try BasicConv2d(192, 192, kernel: Size2d(7, 1),
                                              padding: Size2d(3, 0), generator: g)),
            ("branch7x7x3_4", try BasicConv2d(192, 192, kernel: 3, stride: 2, generator: g)),
        ], outputChannels: 512 + input) { b, x in
            try Tensor.cat([b.chain("branch3x3_1", "branch3x3_2", to: x),
                            b.chain("branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4", to: x),
                            maxPool(x)], axis: 1)
        }
    }

    /// `InceptionE(in)`: expanded filter bank with split 1×3 / 3×1 outputs (8×8 grid).
    static func e(_ input: Int, generator g: Generator?) throws -> InceptionBlock {
        let row = Size2d(1, 3), rowPad = Size2d(0, 1)
        let column = Size2d(3, 1), columnPad = Size2d(1, 0)
        return InceptionBlock([
            ("branch1x1", try BasicConv2d(input, 320, kernel: 1, generator: g)),
            ("branch3x3_1", try BasicConv2d(input, 384, kernel: 1, generator: g)),
            ("branch3x3_2a", try BasicConv2d(384, 384, kernel: row, padding: rowPad, generator: g)),
            ("branch3x3_2b", try BasicConv2d(384, 384, kernel: column, padding: columnPad, generator: g)),
            ("branch3x3dbl_1", try BasicConv2d(input, 448, kernel: 1, generator: g)),
            ("branch3x3dbl_2", try BasicConv2d(448, 384, kernel: 3, padding: 1, generator: g)),
            ("branch3x3dbl_3a", try BasicConv2d(384, 384, kernel: row, padding: rowPad, generator: g)),
            ("branch3x3dbl_3b", try BasicConv2d(384, 384, kernel: column, padding: columnPad, generator: g)),
            ("branch_pool", try BasicConv2d(input, 192, kernel: 1, generator: g)),
        ], outputChannels: 2048) { b, x in
            let branch3x3 = try b.chain("branch3x3_1", to: x)
            let double = try b.chain("branch3x3dbl_1", "branch3x3dbl_2", to: x)
            return try Tensor.cat([
                b.chain("branch1x1", to: x),
                Tensor.cat([b["branch3x3_2a"](branch3x3), b["branch3x3_2b"](branch3x3)], axis: 1),
                Tensor.cat([b["branch3x3dbl_3a"](double), b["branch3x3dbl_3b"](double)], axis: 1),
                b.chain("branch_pool", to: averagePool(x)),
            ], axis: 1)
        }
    }
}

/// torchvision's `InceptionAux`: the auxiliary classifier on the 17×17 grid after `Mixed_6e`.
/// Keys: `conv0`, `conv1` (``BasicConv2d``), `fc`. Needs that grid to be at least 17×17 (a 299-pixel input).
final class InceptionAux: Layer {
    let conv0: BasicConv2d, conv1: BasicConv2d
    var fc: any Layer

    init(_ input: Int, classCount: Int, generator: Generator?) throws {
        conv0 = try BasicConv2d(input, 128, kernel: 1, generator: generator)
        conv1 = try BasicConv2d(128, 768, kernel: 5, generator: generator)
        fc = try Self.makeClassifier(classCount: classCount, generator: generator)
    }

    /// The Linear(768, classCount) (identity for 0) with default initialisation; the model re-draws
    /// its weight from a truncated normal.
    static func makeClassifier(classCount: Int, generator: Generator?) throws -> any Layer {
        classCount == 0 ? Identity() : try Linear(inputFeatures: 768, outputFeatures: classCount, generator: generator)
    }

    var namedChildren: [(String, any Module)] { [("conv0", conv0), ("conv1", conv1), ("fc", fc)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let pooled = try input.avgPool2d(kernelSize: (5, 5), stride: (3, 3), padding: (0, 0), ceilMode: false,
                                         countIncludePad: true)
        let x = try conv1(conv0(pooled)).adaptiveAvgPool2d(outputSize: (1, 1)).flattened(from: 1)
        return try fc(x)
    }
}
