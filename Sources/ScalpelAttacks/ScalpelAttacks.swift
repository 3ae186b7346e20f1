// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0

/// Adversarial audits of a trained network: universal adversarial perturbations (from training images
/// or from natural photos), random controls, and per-image FGSM and PGD baselines, with gradients
/// with respect to the input from the engine's autograd. Depends on the engine, models, data and
/// metrics, never on the trainer or the commands.
public enum ScalpelAttacks {}
