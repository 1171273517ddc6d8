"""A whole pipeline run with :class:`benchmarks.nan_locate.NanLocator` attached to the policy.

    python benchmarks/nan_hunt.py <run_pipeline.py overrides ...>

Same command line as ``run_pipeline.py``; the trainer the training-loop component builds gets the locator's
hooks, so the first non-finite value of any step is printed as JSON lines (module, row, position, token,
mask), then the per-layer peaks of that micro-batch at the end. For NaNs that only appear after many
steps of a real model (the step-17 NaN of the bf16 GSM8K run), where a one-step probe cannot reach.
The hooks cost a host sync per module per micro-batch: timing figures from such a run mean nothing.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from benchmarks.nan_locate import NanLocator
    from rlvr.training.grpo import GRPOTrainingLoop

    build = GRPOTrainingLoop.build_trainer
    locators: list[NanLocator] = []

    def build_with_locator(self: Any, *args: Any, **kwargs: Any) -> Any:
        trainer = build(self, *args, **kwargs)
        locators.append(NanLocator(trainer.model))
        return trainer

    GRPOTrainingLoop.build_trainer = build_with_locator
    sys.argv = [str(ROOT / "run_pipeline.py"), *sys.argv[1:]]
    try:
        runpy.run_path(str(ROOT / "run_pipeline.py"), run_name="__main__")
    finally:
        for locator in locators:
            if locator.found:
                locator.print_peaks()
            print(f"nan_hunt: {len(locator.found)} non-finite reports", flush=True)


if __name__ == "__main__":
    main()
