#!/usr/bin/env python3
# Scalpel — reads a run's TensorBoard scalars with the tensorboard package, as TensorBoard shows them
# (restart markers applied), and prints {"tag": [[step, value], ...]} as JSON. Used by the tests.
# SPDX-License-Identifier: Apache-2.0
import json
import sys

from tensorboard.backend.event_processing import event_accumulator


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: tensorboard_scalars.py RUN/tensorboard")
    accumulator = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    scalars = {
        tag: [[event.step, event.value] for event in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()["scalars"]
    }
    json.dump({"file_version": accumulator.file_version, "scalars": scalars}, sys.stdout)


if __name__ == "__main__":
    main()
