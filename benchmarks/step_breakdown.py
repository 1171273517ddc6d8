"""Where a GRPO optimizer step's time goes: a whole pipeline run with timers around TRL's phases.

    STEP_BREAKDOWN_OUT=<dir> python benchmarks/step_breakdown.py <run_pipeline.py overrides ...>

Same command line as ``run_pipeline.py``. The trainer the training-loop component builds gets timers
around its phases, each closed by a device synchronisation so GPU work is charged to the phase that
queued it. After every optimizer step one JSON line goes to stdout (and ``<dir>/breakdown.jsonl``):

* ``step_s``: the optimizer step, as the trainer's callbacks see it (``on_step_begin`` → ``on_step_end``);
* ``generate_s``: rollout generation (``_generate_single_turn``: the engine or TRL's own ``generate``);
* ``engine_sync_s``: copying the policy's weights into the engine's inference copy;
* ``rewards_s``: the reward functions (``_calculate_rewards``);
* ``score_other_s``: the rest of ``_generate_and_score_completions`` (tokenising, old/reference
  log-probs, advantages, metrics);
* ``forward_backward_s``: ``training_step`` minus its ``_prepare_inputs`` (loss forward + backward);
* ``optimizer_s``: ``on_pre_optimizer_step`` → ``on_optimizer_step`` (the optimizer's update);
* ``other_s``: what the step spends outside all of those (gradient clipping, scheduler, logging,
  callbacks such as the observer and the NaN guard).

With ``STEP_BREAKDOWN_PROFILE=<k>`` optimizer step k also runs under ``torch.profiler`` and the 40
costliest operators by self CPU time and by device time go to ``<dir>/profile-step-<k>.txt``. The
synchronisations cost a little; compare steps within one such run, not with a run without them.
"""

from __future__ import annotations

import functools
import json
import os
import runpy
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Trainer methods timed, and the phase each one's time is charged to.
PHASES = {
    "_generate_single_turn": "generate",
    "_calculate_rewards": "rewards",
    "_generate_and_score_completions": "score",
    "_prepare_inputs": "prepare",
    "training_step": "training_step",
}


class StepClock:
    """Phase totals of the current optimizer step, written out when the step ends."""

    def __init__(self, out: Path | None, profile_step: int) -> None:
        import torch

        self.torch = torch
        self.out = out
        self.profile_step = profile_step
        self.totals: dict[str, float] = defaultdict(float)
        self.marks: dict[str, float] = {}
        self.profiler: Any = None

    def sync(self) -> None:
        if self.torch.cuda.is_available():
            self.torch.cuda.synchronize()

    def timed(self, phase: str, function: Any) -> Any:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.sync()
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.sync()
                self.totals[phase] += time.perf_counter() - start

        return wrapper

    def mark(self, name: str) -> None:
        self.sync()
        self.marks[name] = time.perf_counter()

    def begin_step(self, step: int) -> None:
        self.totals.clear()
        self.mark("step")
        if step == self.profile_step:
            from torch.profiler import ProfilerActivity, profile

            activities = [ProfilerActivity.CPU]
            if self.torch.cuda.is_available():
                activities.append(ProfilerActivity.CUDA)
            self.profiler = profile(activities=activities)
            self.profiler.__enter__()

    def end_step(self, step: int) -> dict[str, float]:
        self.sync()
        total = time.perf_counter() - self.marks["step"]
        t = self.totals
        row = {
            "step": step,
            "step_s": total,
            "generate_s": t["generate"] - t["engine_sync"],  # the engine syncs inside generation
            "engine_sync_s": t["engine_sync"],
            "rewards_s": t["rewards"],
            "score_other_s": t["score"] - t["generate"] - t["rewards"],
            "forward_backward_s": t["training_step"] - t["prepare"],
            "optimizer_s": t["optimizer"],
        }
        row["other_s"] = total - t["training_step"] - t["optimizer"]
        row = {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}
        print(json.dumps(row), flush=True)
        if self.out is not None:
            with (self.out / "breakdown.jsonl").open("a") as f:
                f.write(json.dumps(row) + "\n")
        if self.profiler is not None:
            self.profiler.__exit__(None, None, None)
            self.write_profile(step)
            self.profiler = None
        return row

    def write_profile(self, step: int) -> None:
        averages = self.profiler.key_averages()
        device = "self_cuda_time_total" if self.torch.cuda.is_available() else "self_cpu_time_total"
        text = "by self CPU time\n" + averages.table(sort_by="self_cpu_time_total", row_limit=40)
        text += f"\n\nby {device}\n" + averages.table(sort_by=device, row_limit=40)
        target = (self.out or Path(".")) / f"profile-step-{step}.txt"
        target.write_text(text)
        print(f"step_breakdown: profile of step {step} in {target}", flush=True)


def attach(trainer: Any, clock: StepClock) -> None:
    """Timers on the trainer's phases, the engine's weight refresh and the optimizer step."""
    from transformers import TrainerCallback

    from rlvr.rollout.engine import RolloutEngine

    for name, phase in PHASES.items():
        setattr(trainer, name, clock.timed(phase, getattr(trainer, name)))
    if not getattr(RolloutEngine.sync, "_timed", False):
        RolloutEngine.sync = clock.timed("engine_sync", RolloutEngine.sync)
        RolloutEngine.sync._timed = True

    class Clock(TrainerCallback):
        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            clock.begin_step(state.global_step + 1)

        def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            clock.mark("optimizer")

        def on_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            clock.sync()
            clock.totals["optimizer"] += time.perf_counter() - clock.marks["optimizer"]

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            clock.end_step(state.global_step)

    trainer.add_callback(Clock())


def main() -> None:
    from rlvr.training.grpo import GRPOTrainingLoop

    out = os.environ.get("STEP_BREAKDOWN_OUT")
    out_dir = Path(out) if out else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    clock = StepClock(out_dir, int(os.environ.get("STEP_BREAKDOWN_PROFILE", "0")))
    build = GRPOTrainingLoop.build_trainer

    def build_with_clock(self: Any, *args: Any, **kwargs: Any) -> Any:
        trainer = build(self, *args, **kwargs)
        attach(trainer, clock)
        return trainer

    GRPOTrainingLoop.build_trainer = build_with_clock
    sys.argv = [str(ROOT / "run_pipeline.py"), *sys.argv[1:]]
    runpy.run_path(str(ROOT / "run_pipeline.py"), run_name="__main__")


if __name__ == "__main__":
    main()
