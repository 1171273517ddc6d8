"""Peak GPU memory: logged per step by the training loop's callback, its maximum in the run summary."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from rlvr.observers.summary import build_summary, summary_rows  # noqa: E402
from rlvr.run_dir import RunDir  # noqa: E402
from rlvr.training.gpu_memory import KEY, gpu_memory_callback  # noqa: E402


def _steps(peaks: list[float | None]) -> list[dict]:
    records = [{"kind": "setup", "completions_per_step": 4, "max_steps": len(peaks)}]
    for step, peak in enumerate(peaks, start=1):
        record = {"kind": "train", "step": step, "loss": 0.1, "step_time": 1.0, "completions/mean_length": 10}
        if peak is not None:
            record[KEY] = peak
        records.append(record)
    return records


def test_summary_reports_the_largest_peak(tmp_path: Path) -> None:
    summary = build_summary(_steps([3.5, 7.25, 6.0]), [], RunDir(tmp_path), 12.0)
    assert summary["peak_gpu_memory_gib"] == 7.25
    assert ("peak GPU memory", "7.25 GiB") in summary_rows(summary)


def test_without_a_gpu_the_summary_says_not_measured(tmp_path: Path) -> None:
    summary = build_summary(_steps([None, None]), [], RunDir(tmp_path), 3.0)
    assert summary["peak_gpu_memory_gib"] is None
    assert ("peak GPU memory", "—") in summary_rows(summary)


def test_no_callback_without_cuda() -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert gpu_memory_callback() is None


def test_callback_adds_the_peak_to_step_logs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers.trainer_callback  # noqa: F401  (imported before CUDA is faked: bitsandbytes probes it)

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda *a, **k: 3 * 2**30 + 2**29)
    callback = gpu_memory_callback()
    step_logs, final_logs = {"loss": 0.2, "reward": 0.5}, {"train_runtime": 10.0}
    for logs in (step_logs, final_logs):
        callback.on_log(None, None, None, logs=logs)
    assert step_logs[KEY] == 3.5
    assert KEY not in final_logs
