"""rlvr's own errors reach the command line as one `rlvr: <message>` line with a per-class exit status."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr.errors import ConfigError, DataError, ModelError, RlvrError, SetupError, TrainingError

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_exit_codes_are_distinct_per_class() -> None:
    classes = (ConfigError, DataError, ModelError, SetupError, TrainingError)
    assert [c.exit_code for c in classes] == [2, 3, 4, 5, 6]
    assert all(issubclass(c, RlvrError) for c in classes)
    assert issubclass(DataError, ValueError) and issubclass(ModelError, OSError)  # old catches still work


@pytest.mark.slow
def test_data_error_is_one_line_with_file_and_line(tiny_model_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "1+1", "answer": "#### 2"}\n{not json\n')
    result = run_cli(
        f"model.model_name_or_path={tiny_model_dir}",
        "data.hub_id=null",
        f"data.path={bad}",
        "eval.enabled=false",
        cwd=tmp_path,
    )
    assert result.returncode == 3, result.stderr[-2000:]
    assert f"rlvr: {bad}:2: malformed JSON line" in result.stderr
    assert "data.on_bad_row=skip" in result.stderr and "Traceback" not in result.stderr
    (run_dir,) = (tmp_path / "outputs").glob("*/*")  # the failed run keeps its config and log, nothing else
    assert sorted(p.name for p in run_dir.iterdir()) == [
        ".hydra",
        ".rlvr.lock",  # released (rlvr.run_lock)
        "resolved_config.yaml",
        "run_pipeline.log",
        "status.json",
    ]
    status = json.loads((run_dir / "status.json").read_text())
    assert (status["status"], status["exit_code"]) == ("failed", 3) and "malformed JSON line" in status[
        "error"
    ]


@pytest.mark.slow
def test_model_error_names_the_model_and_debug_shows_the_traceback(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    tokenizer_only = tmp_path / "tokenizer-only"
    tokenizer_only.mkdir()
    for path in tiny_model_dir.iterdir():  # everything but the weights
        if path.suffix != ".safetensors":
            shutil.copy(path, tokenizer_only / path.name)
    args = (
        f"model.model_name_or_path={tokenizer_only}",
        "data.hub_id=null",
        "data.path=pkg://rlvr/data/builtin/smoke_math_train.jsonl",
        "eval.enabled=false",
    )
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 4, result.stderr[-2000:]
    assert f"rlvr: could not load model '{tokenizer_only}'" in result.stderr
    assert "Traceback" not in result.stderr
    debug = run_cli(*args, "debug=true", cwd=tmp_path)
    assert debug.returncode != 0 and "Traceback" in debug.stderr
