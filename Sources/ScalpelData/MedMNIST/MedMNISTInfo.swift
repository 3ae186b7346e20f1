// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// The official description of one MedMNIST v2 2D dataset (from `medmnist/info.py`, v2.1.0, of
/// github.com/MedMNIST/MedMNIST): task, class names, channels, split sizes, download URL and MD5.
public struct MedMNISTInfo: Sendable, Equatable {
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

    /// The dataset named `name` (case-insensitive), if it is one of ``all``.
    public static func named(_ name: String) -> MedMNISTInfo? { all.first { $0.name == name.lowercased() } }

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
