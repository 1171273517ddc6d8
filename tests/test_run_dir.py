"""The run directory: one owner of its files, atomic writes, and nothing left behind by a rejected config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from rlvr.run_dir import RunDir, discard_unused

ROOT = Path(__file__).resolve().parents[1]


def test_writers_put_every_file_in_the_run_dir(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path / "run")
    config = run_dir.write_config(OmegaConf.create({"a": 1, "b": "${a}"}))
    run_dir.write_json("eval_report.json", {"accuracy": 0.5})
    run_dir.write_jsonl("eval_samples_after.jsonl", [{"x": "é"}, {"x": 2}])
    run_dir.append_jsonl("metrics.jsonl", {"step": 1})
    run_dir.append_jsonl("metrics.jsonl", {"step": 2})
    assert config == {"a": 1, "b": 1}
    assert (tmp_path / "run" / "resolved_config.yaml").read_text() == "a: 1\nb: 1\n"
    assert json.loads((tmp_path / "run" / "eval_report.json").read_text()) == {"accuracy": 0.5}
    assert (tmp_path / "run" / "eval_samples_after.jsonl").read_text(
        encoding="utf-8"
    ) == '{"x": "é"}\n{"x": 2}\n'
    steps = [
        json.loads(line)["step"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    ]
    assert steps == [1, 2]
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "eval_report.json",
        "eval_samples_after.jsonl",
        "metrics.jsonl",
        "resolved_config.yaml",
    ]  # no temporary files left behind


def test_an_interrupted_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.write_json("eval_report.json", {"accuracy": 0.5})

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rlvr.run_dir.os.replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        run_dir.write_json("eval_report.json", {"accuracy": 0.75})
    assert json.loads((tmp_path / "eval_report.json").read_text()) == {"accuracy": 0.5}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval_report.json"]  # no temporary left behind


def test_discard_unused_removes_only_hydra_only_dirs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "outputs" / "2026-11-29" / "10-00-00"
    (empty / ".hydra").mkdir(parents=True)
    (empty / "run_pipeline.log").write_text("")
    kept = tmp_path / "outputs" / "2026-11-29" / "10-00-01"
    kept.mkdir()
    (kept / "metrics.jsonl").write_text("{}\n")
    assert discard_unused(empty) is True
    assert not empty.exists() and kept.exists()
    assert discard_unused(kept) is False and (kept / "metrics.jsonl").exists()
    (kept / "metrics.jsonl").unlink()
    assert discard_unused(kept) is True
    assert not (tmp_path / "outputs").exists() and tmp_path.exists()  # empty parents go, up to the cwd


def test_rejected_config_leaves_no_run_dir(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), "train.max_stepz=3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert "rlvr: 1 config error(s)" in result.stderr and "did you mean train.max_steps?" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no outputs/<date>/<time>/ folder


def test_a_dir_holding_another_run_is_refused_before_hydra_writes(tmp_path: Path) -> None:
    previous = tmp_path / "run"
    previous.mkdir()
    (previous / "metrics.jsonl").write_text('{"step": 1}\n')
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), f"hydra.run.dir={previous}", "mode=check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert f"hydra.run.dir={previous} already holds a run (metrics.jsonl)" in result.stderr
    assert "overwrite=true" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in previous.iterdir()) == ["metrics.jsonl"]  # not even .hydra/ was written


def test_occupied_run_dir_rules(tmp_path: Path) -> None:
    from rlvr.run_dir import occupied_run_dir

    (tmp_path / "eval_report.json").write_text("{}")
    (tmp_path / ".hydra").mkdir()
    assert "already holds a run (eval_report.json)" in occupied_run_dir([f"hydra.run.dir={tmp_path}"])
    assert occupied_run_dir([f"hydra.run.dir={tmp_path}", "overwrite=true"]) is None
    assert occupied_run_dir([f"hydra.run.dir={tmp_path}", "train.resume_from_checkpoint=auto"]) is None
    assert occupied_run_dir([f"hydra.run.dir={tmp_path / 'new'}"]) is None
    assert occupied_run_dir(["train.max_steps=3"]) is None  # the default dir is unique per run


def test_default_run_dir_has_microseconds() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "conf" / "config.yaml").read_text())
    assert config["hydra"]["run"]["dir"].endswith("${now:%H-%M-%S-%f}")


def test_an_unwritable_run_dir_is_named_before_hydra(tmp_path: Path) -> None:
    from rlvr.run_dir import unwritable_run_dir

    assert unwritable_run_dir([f"hydra.run.dir={tmp_path / 'new' / 'run'}"]) is None
    assert sorted(p.name for p in (tmp_path / "new" / "run").iterdir()) == []  # the probe is gone
    assert unwritable_run_dir(["train.max_steps=3"]) is None
    problem = unwritable_run_dir(["hydra.sweep.dir=/proc/rlvr-sweep"])
    assert problem == (
        "hydra.sweep.dir=/proc/rlvr-sweep: cannot write the run there: No such file or directory. Fix: choose "
        "a writable directory with free space, e.g. hydra.sweep.dir=outputs/my-run"
    )
