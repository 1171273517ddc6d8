"""Plots: the panels a run's metrics call for, drawn as PNGs; ``mode=plot`` overlays several runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.modes import MODES, run
from rlvr.observers.plots import draw_plots
from rlvr.run_dir import RunDir
from tests.conftest import compose_config

PNG = b"\x89PNG\r\n\x1a\n"


def records(beta: float, accuracy: float) -> list[dict]:
    rows = [{"kind": "setup", "step": 0, "max_steps": 3, "completions_per_step": 8}]
    rows.append(
        {"kind": "eval", "step": 0, "tag": "before", "eval/accuracy": 0.1, "eval/accuracy_ci": [0.0, 0.3]}
    )
    for step in (1, 2, 3):
        rows.append(
            {
                "kind": "train",
                "step": step,
                "reward": 0.2 * step,
                "rewards/numeric/mean": 0.1 * step,
                "rewards/format/mean": 0.3,
                "completions/mean_length": 30.0 + step,
                "completions/clipped_ratio": 0.2,
                "entropy": 1.0 - 0.1 * step,
                "kl": beta * step,
                "learning_rate": 1e-5,
                "step_time": 2.0,
            }
        )
    rows.append(
        {"kind": "eval", "step": 3, "tag": "after", "eval/accuracy": accuracy, "eval/accuracy_ci": None}
    )
    return rows


def write_run(path: Path, beta: float = 0.0, accuracy: float = 0.4) -> Path:
    RunDir(path).write_jsonl("metrics.jsonl", records(beta, accuracy))
    return path


def test_a_run_gets_one_png_per_panel(tmp_path: Path) -> None:
    drawn = draw_plots({"run": records(beta=0.0, accuracy=0.4)}, RunDir(tmp_path))
    assert [title for title, _ in drawn] == [
        "reward (total and per function)",
        "eval accuracy",
        "completion length",
        "clipped ratio (truncated completions)",
        "entropy",
        "learning rate",
        "rollout throughput",
    ]  # no KL panel: beta = 0 logs kl = 0
    for _, path in drawn:
        assert path.parent == tmp_path / "plots" and path.read_bytes().startswith(PNG)
    assert "KL to the reference" in [t for t, _ in draw_plots({"run": records(0.1, 0.4)}, RunDir(tmp_path))]


def test_mode_plot_overlays_several_runs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a, b = write_run(tmp_path / "a", beta=0.1), write_run(tmp_path / "b", accuracy=0.2)
    cfg = compose_config(["mode=plot", f"input=[{a},{b}]"])
    validate_config(cfg, modes=MODES)
    result = run(cfg, RunDir(tmp_path / "plot-run"))
    assert result["inputs"] == [str(a), str(b)]
    assert "KL to the reference" in result["plots"]
    reward = Path(result["plots"]["reward (total and per function)"])
    assert reward == tmp_path / "plot-run" / "plots" / "reward.png" and reward.read_bytes().startswith(PNG)
    assert not (a / "plots").exists()  # the runs read are left as they were
    assert f"rlvr: plot: eval accuracy → {tmp_path / 'plot-run' / 'plots' / 'eval_accuracy.png'}" in (
        capsys.readouterr().out
    )
    assert "mode: plot" in (tmp_path / "plot-run" / "resolved_config.yaml").read_text()
    assert (tmp_path / "plot-run" / "manifest.json").is_file()


def test_mode_plot_needs_run_dirs_with_metrics(tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError, match=r"input=None: mode=plot needs the run\(s\) to draw"):
        validate_config(compose_config(["mode=plot"]), modes=MODES)
    with pytest.raises(
        ConfigValidationError, match=r"no metrics.jsonl there. Fix: point input= at a training"
    ):
        validate_config(compose_config(["mode=plot", f"input={tmp_path}"]), modes=MODES)
    validate_config(compose_config(["mode=plot", f"input={write_run(tmp_path / 'a')}"]), modes=MODES)
