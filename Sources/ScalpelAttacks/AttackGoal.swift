// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0

/// What a per-image attack pushes each image towards.
public enum AttackGoal: Sendable, Equatable {
    /// Away from these classes (one per image, usually the clean predictions): the loss goes up.
    case untargeted(labels: [Int])
    /// Towards these classes (one per image): the loss against them goes down.
    case targeted(classes: [Int])

    var classes: [Int] {
        switch self {
        case .untargeted(let labels): labels
        case .targeted(let classes): classes
        }
    }

    /// +1 to climb the loss, −1 to descend it (torchattacks' `cost = -loss` in targeted mode).
    var direction: Double {
        switch self {
        case .untargeted: 1
        case .targeted: -1
        }
    }
}
