"""The training step's waste and dynamic sampling reach summary.json and summary.md as run means."""

from __future__ import annotations

from rlvr.observers.summary import build_summary, summary_markdown
from rlvr.run_dir import RunDir


def _step(step: int, forwarded: float, real: float, repeat: float, mfu: float | None, kept: float) -> dict:
    record = {
        "kind": "train",
        "step": step,
        "loss": 0.1,
        "train/tokens_forwarded": forwarded,
        "train/real_tokens": real,
        "train/pad_fraction": 1 - real / forwarded,
        "train/prompt_repeat_fraction": repeat,
        "sampling/kept_fraction": kept,
    }
    if mfu is not None:
        record["train/mfu"] = mfu
    return record


def test_step_means_and_their_summary_row(tmp_path):
    records = [_step(1, 1000, 800, 0.25, 20.0, 0.5), _step(2, 1000, 600, 0.35, 30.0, 0.25)]
    summary = build_summary(records, [], RunDir(tmp_path), 10.0)
    step = summary["training_step"]
    assert step["tokens_forwarded_per_step"] == 1000
    assert step["real_tokens_per_step"] == 700
    assert step["pad_fraction"] == 0.3
    assert step["prompt_repeat_fraction"] == 0.3
    assert step["mfu_percent"] == 25.0
    assert step["sampling_kept_fraction"] == 0.375
    text = summary_markdown(summary)
    assert (
        "| training step | 1000 tokens forwarded per step, 30.0% padding, 30.0% repeated prompts, MFU 25.0 % |"
        in text
    )
    assert "| dynamic sampling | 37.5% of generated groups kept |" in text


def test_no_step_row_without_the_metrics(tmp_path):
    summary = build_summary([{"kind": "train", "step": 1, "loss": 0.0}], [], RunDir(tmp_path), 1.0)
    assert summary["training_step"] == {}
    assert "training step" not in summary_markdown(summary)
