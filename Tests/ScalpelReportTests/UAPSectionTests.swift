// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Testing
import Torch
@testable import ScalpelAttacks
@testable import ScalpelReport

/// The UAP section, from a folder written by ScalpelAttacks' own UAPResultFiles (so a change of that
/// format fails here), and the PNG encoder read back by the project's libpng decoder.
struct UAPSectionTests {
    static func writeUAP(to folder: URL) throws -> UAPResult {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let heldout = try JSONDecoder().decode(EvaluationSummary.self, from: Data("""
            {"images": 40, "foolingRate": 0.725, "confusion": [[10, 10], [19, 1]], "imagesByCleanClass": [20, 20],
             "foolingRateByCleanClass": [0.5, 0.95]}
            """.utf8))
        let result = UAPResult(settings: try UAPJobSettings(norm: .linf, zeta: 0.04, source: "training split <train>"),
                               radius: 0.031, meanReferenceNorm: 0.78, imagesSeen: 200, perturbationL2: 1.2, perturbationLinf: 0.031,
                               heldout: heldout,
                               random: RandomControlSummary(draws: 3, foolingRates: [0.1, 0.15, 0.2], targetedSuccessRates: nil),
                               randomAtUAPNorm: RandomControlSummary(draws: 2, foolingRates: [0.05, 0.0625], targetedSuccessRates: nil),
                               curve: [CurvePoint(imagesSeen: 100, l2: 1, linf: 0.03, sourceFoolingRate: 0.5, foolingRate: 0.6, targetedSuccessRate: nil),
                                       CurvePoint(imagesSeen: 200, l2: 1.2, linf: 0.031, sourceFoolingRate: 0.7, foolingRate: 0.725, targetedSuccessRate: nil)],
                               skipped: [], classNames: ["benign", "<malignant>"])
        let perturbation = try (Tensor.rand([3, 8, 8], generator: try Generator(seed: 1)) - 0.5) * 0.062
        try UAPResultFiles(result: result, perturbation: perturbation,
                           examples: try Tensor.rand([2, 3, 8, 8], generator: try Generator(seed: 2))).write(to: folder)
        return result
    }

    @Test func uapFolderAndUAPInsideARun() throws {
        let run = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: run) }
        try ReportFixtures.run(in: run)
        let folder = run.appendingPathComponent("attacks/uap-linf")
        _ = try Self.writeUAP(to: folder)

        // The UAP folder on its own.
        let alone = try ReportPage.make(folders: [folder]).html()
        #expect(alone.contains(#"<section id="uap""#))
        #expect(alone.contains(#"data-metric="uap-fooling-rate">0.7250<"#))
        #expect(alone.contains(#"data-metric="random-fooling-rate">0.1500<"#) && alone.contains("± 0.0500"))
        #expect(alone.contains(#"data-plot="uap-curve""#) && alone.contains(#"data-plot="uap-confusion""#))
        #expect(alone.contains(#"<img src="data:image/png;base64,"#) && alone.contains(#"data-plot="uap-image""#))
        #expect(alone.contains(#"data-plot="uap-triptych""#))
        #expect(alone.contains(#"data-metric="random-uap-norm-fooling-rate">0.0563<"#) || alone.contains(#"data-metric="random-uap-norm-fooling-rate">0.0562<"#))
        #expect(!alone.contains("<malignant>") && alone.contains("&lt;malignant&gt;") && alone.contains("training split &lt;train&gt;"))

        // Inside the run: a section of the run's page.
        let page = try ReportPage.make(folders: [run]).html()
        #expect(page.contains(#"<section id="0-uap""#) && page.contains("attacks/uap-linf"))
    }

    @Test func pngDecodesBackToThePixels() throws {
        let pixels: [UInt8] = (0..<(5 * 3 * 3)).map { UInt8(($0 * 37) % 256) }
        let png = try PNGImage(width: 5, height: 3, channels: 3, pixels: pixels)
        let decoded = try ImageDecoder.decode(Data(png.encoded()), source: "test.png")
        #expect(decoded.width == 5 && decoded.height == 3 && decoded.channels == 3)
        #expect(decoded.samples == .uint8(pixels))
        let grey = try PNGImage(width: 300, height: 300, channels: 1, pixels: (0..<90_000).map { UInt8($0 % 251) })   // > one stored block
        #expect(try ImageDecoder.decode(Data(grey.encoded()), source: "grey.png").samples == .uint8(grey.pixels))
        #expect(PNGImage.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
