// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// The official description of one MedMNIST v2 2D dataset (from `medmnist/info.py`, v2.1.0, of
/// github.com/MedMNIST/MedMNIST): task, class names, channels, split sizes, download URL and MD5; and
/// the MedMNIST+ files of 64, 128 and 224 pixels (v3.0.2's `url_64`, `MD5_64`, …, Zenodo record
/// 10519652), see ``file(size:)``.
public struct MedMNISTInfo: Sendable, Equatable {
    /// One downloadable `.npz` file of a dataset at one image size.
    public struct File: Sendable, Equatable {
        /// The dataset's flag (`pneumoniamnist`).
        public var name: String
        /// The image side: 28, 64, 128 or 224.
        public var size: Int
        /// `NAME.npz` at 28, `NAME_SIZE.npz` otherwise (MedMNIST+'s naming).
        public var fileName: String
        public var url: String
        /// The published MD5; nil when it is not known, and the file is then accepted unverified (with a
        /// printed warning).
        public var md5: String?
        /// Other published MD5s of the same file name: MedMNIST v3 re-released `organ{a,c,s}mnist.npz` at 28
        /// (a few images fewer) under the same name, and `~/.medmnist` may hold either release.
        public var alternativeMD5s: [String]

        public init(name: String, size: Int, fileName: String, url: String, md5: String?, alternativeMD5s: [String] = []) {
            self.name = name
            self.size = size
            self.fileName = fileName
            self.url = url
            self.md5 = md5
            self.alternativeMD5s = alternativeMD5s
        }

        /// Every MD5 a good copy may have (empty: unknown).
        public var acceptedMD5s: [String] { (md5.map { [$0] } ?? []) + alternativeMD5s }
    }

    /// The image sizes MedMNIST publishes for the 2D datasets (28: MedMNIST v2; 64, 128, 224: MedMNIST+).
    public static let sizes = [28, 64, 128, 224]

    /// The flag, e.g. `"pneumoniamnist"` (also the file name without `.npz`).
    public var name: String
    public var task: ClassificationTask
    /// Class names by label index.
    public var classes: [String]
    /// 1 gray, 3 RGB.
    public var channels: Int
    /// Official sample counts of `train`, `val`, `test`.
    public var splitSizes: [String: Int]
    /// The official 28×28 file.
    public var url: String
    public var md5: String
    public var license: String { "CC BY 4.0" }

    /// The dataset named `name` (case-insensitive), if it is one of ``all``. A MedMNIST+ file stem
    /// (`pneumoniamnist_64`) names its dataset too.
    public static func named(_ name: String) -> MedMNISTInfo? {
        let name = name.lowercased()
        if let info = all.first(where: { $0.name == name }) { return info }
        guard let underscore = name.lastIndex(of: "_"), let size = Int(name[name.index(after: underscore)...]),
              sizes.contains(size), size != 28 else { return nil }
        let stem = String(name[..<underscore])
        return all.first { $0.name == stem }
    }

    /// The file of this dataset at `size` pixels, nil for a size MedMNIST does not publish.
    public func file(size: Int) -> File? {
        if size == 28 {
            return File(name: name, size: 28, fileName: name + ".npz", url: url, md5: md5,
                        alternativeMD5s: Self.version3MD5[name].map { [$0] } ?? [])
        }
        guard Self.sizes.contains(size) else { return nil }
        let fileName = "\(name)_\(size).npz"
        return File(name: name, size: size, fileName: fileName,
                    url: "https://zenodo.org/records/10519652/files/\(fileName)?download=1", md5: Self.plusMD5[name]?[size])
    }

    /// MedMNIST v3.0.2's `MD5_64`, `MD5_128`, `MD5_224`. Split sizes at these sizes are v3's: equal to
    /// ``splitSizes`` except for organamnist (train 34561), organcmnist (12975/2392/8216) and organsmnist
    /// (13932/2452/8827).
    private static let plusMD5: [String: [Int: String]] = [
        "pathmnist": [64: "55aa9c1e0525abe5a6b9d8343a507616", 128: "ac42d08fb904d92c244187169d1fd1d9",
                      224: "2c51a510bcdc9cf8ddb2af93af1eadec"],
        "chestmnist": [64: "9de6cd0b934ebb5b7426cfba5efbae16", 128: "db107e5590b27930b62dbaf558aebee3",
                       224: "45bd33e6f06c3e8cdb481c74a89152aa"],
        "dermamnist": [64: "b70a2f5635c6199aeaa28c31d7202e1f", 128: "2defd784463fa5243564e855ed717de1",
                       224: "8974907d8e169bef5f5b96bc506ae45d"],
        "octmnist": [64: "e229e9440236b774d9f0dfef9d07bdaf", 128: "0a97e76651ace45c5d943ee3f65b63ae",
                     224: "abc493b6d529d5de7569faaef2773ba3"],
        "pneumoniamnist": [64: "8f4eceb4ccffa70c672198ea285246c6", 128: "05b46931834c231683c68f40c47b2971",
                           224: "d6a3c71de1b945ea11211b03746c1fe1"],
        "retinamnist": [64: "afda852cc34dcda56f86ad2b2457dbcc", 128: "e48e916a24454daf90583d4e6efb1a18",
                        224: "eae7e3b6f3fcbda4ae613ebdcbe35348"],
        "breastmnist": [64: "742edef2a1fd1524b2efff4bd7ba9364", 128: "363e4b3f8d712e9b5de15470a2aaadf1",
                        224: "b56378a6eefa9fed602bb16d192d4c8b"],
        "bloodmnist": [64: "2b94928a2ae4916078ca51e05b6b800b", 128: "adace1e0ed228fccda1f39692059dd4c",
                       224: "b718ff6835fcbdb22ba9eacccd7b2601"],
        "tissuemnist": [64: "123ece2eba09d0aa5d698fda57103344", 128: "61b955355d7425a89687b06cca3ce0c2",
                        224: "b077128c4a949f0a4eb01517f9037b9c"],
        "organamnist": [64: "2dcccc29b88e6da5a01161ef20cda288", 128: "eeae80d0a227a8d099027e1b3cfd3b60",
                        224: "50747347e05c87dd3aaf92c49f9f3170"],
        "organcmnist": [64: "3ce34a8724ea6f548e6db4744d03b6a9", 128: "773c1f009daa3fe5d9a2a201b2a7ed94",
                        224: "050f5e875dc056f6768abf94ec9995d1"],
        "organsmnist": [64: "53a6d115339d874c25e309a994ff46d3", 128: "ded0c5fa01a95dc4978b956f613e9b8e",
                        224: "b354719e553fbbb2513d5533f52a4cb1"],
    ]

    /// MedMNIST v3.0.2's `MD5` of the 28-pixel file where it differs from v2.1.0's (the re-released
    /// organ datasets); the other nine files are the same in both releases.
    private static let version3MD5: [String: String] = [
        "organamnist": "68e3f8846a6bd62f0c9bf841c0d9eacc",
        "organcmnist": "b9ceb9546e10131b32923c5bbeaea2b1",
        "organsmnist": "9ab87b696fb54e2a387ebe992d6ed5f1",
    ]

    private static let organs = ["bladder", "femur-left", "femur-right", "heart", "kidney-left", "kidney-right", "liver",
                                 "lung-left", "lung-right", "pancreas", "spleen"]

    private static func zenodo(_ name: String) -> String { "https://zenodo.org/record/6496656/files/\(name).npz?download=1" }

    private static func make(_ name: String, _ task: ClassificationTask, _ classes: [String], _ channels: Int,
                             _ sizes: (Int, Int, Int), _ md5: String) -> MedMNISTInfo {
        MedMNISTInfo(name: name, task: task, classes: classes, channels: channels,
                     splitSizes: ["train": sizes.0, "val": sizes.1, "test": sizes.2], url: zenodo(name), md5: md5)
    }

    /// The twelve 2D datasets of MedMNIST v2.
    public static let all: [MedMNISTInfo] = [
        make("pathmnist", .multiClass, ["adipose", "background", "debris", "lymphocytes", "mucus", "smooth muscle",
                                        "normal colon mucosa", "cancer-associated stroma",
                                        "colorectal adenocarcinoma epithelium"],
             3, (89996, 10004, 7180), "a8b06965200029087d5bd730944a56c1"),
        make("chestmnist", .multiLabel, ["atelectasis", "cardiomegaly", "effusion", "infiltration", "mass", "nodule",
                                         "pneumonia", "pneumothorax", "consolidation", "edema", "emphysema", "fibrosis",
                                         "pleural", "hernia"],
             1, (78468, 11219, 22433), "02c8a6516a18b556561a56cbdd36c4a8"),
        make("dermamnist", .multiClass, ["actinic keratoses and intraepithelial carcinoma", "basal cell carcinoma",
                                         "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
                                         "vascular lesions"],
             3, (7007, 1003, 2005), "0744692d530f8e62ec473284d019b0c7"),
        make("octmnist", .multiClass, ["choroidal neovascularization", "diabetic macular edema", "drusen", "normal"],
             1, (97477, 10832, 1000), "c68d92d5b585d8d81f7112f81e2d0842"),
        make("pneumoniamnist", .binary, ["normal", "pneumonia"], 1, (4708, 524, 624), "28209eda62fecd6e6a2d98b1501bb15f"),
        make("retinamnist", .ordinal, ["0", "1", "2", "3", "4"], 3, (1080, 120, 400), "bd4c0672f1bba3e3a89f0e4e876791e4"),
        make("breastmnist", .binary, ["malignant", "normal, benign"], 1, (546, 78, 156), "750601b1f35ba3300ea97c75c52ff8f6"),
        make("bloodmnist", .multiClass, ["basophil", "eosinophil", "erythroblast",
                                         "immature granulocytes(myelocytes, metamyelocytes and promyelocytes)",
                                         "lymphocyte", "monocyte", "neutrophil", "platelet"],
             3, (11959, 1712, 3421), "7053d0359d879ad8a5505303e11de1dc"),
        make("tissuemnist", .multiClass, ["Collecting Duct, Connecting Tubule", "Distal Convoluted Tubule",
                                          "Glomerular endothelial cells", "Interstitial endothelial cells", "Leukocytes",
                                          "Podocytes", "Proximal Tubule Segments", "Thick Ascending Limb"],
             1, (165466, 23640, 47280), "ebe78ee8b05294063de985d821c1c34b"),
        make("organamnist", .multiClass, organs, 1, (34581, 6491, 17778), "866b832ed4eeba67bfb9edee1d5544e6"),
        make("organcmnist", .multiClass, organs, 1, (13000, 2392, 8268), "0afa5834fb105f7705a7d93372119a21"),
        make("organsmnist", .multiClass, organs, 1, (13940, 2452, 8829), "e5c39f1af030238290b9557d9503af9d"),
    ]
}
