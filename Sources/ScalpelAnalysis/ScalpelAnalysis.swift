// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0

/// What a network learned and where it looks, from the network and images alone: representation
/// similarity (`Similarity/`), transferability scores (`Transferability/`) and attributions such as
/// Grad-CAM (`Attribution/`). Depends on the engine, models, data and metrics, never on the trainer
/// or the commands.
public enum ScalpelAnalysis {}
