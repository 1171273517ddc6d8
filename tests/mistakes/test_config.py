"""Catalogue: mistakes refused before anything loads (config, custom reward imports, run dirs), each
compared on the whole printed line; a rejected command leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.mistakes.cli import OFFLINE, SCRIPT, file_size_limit, run_until, write_user_modules

# (mistake, command-line arguments, the whole line of the config error; exit status 2, nothing written)
CONFIG_LINES = [
    (
        "eval sample count of -1",
        ["eval.max_samples=-1"],
        "eval.max_samples=-1: must be at least 1 (null evaluates the whole split). Fix: e.g. eval.max_samples=200",
    ),
    (
        "eval sample count of 0",
        ["eval.max_samples=0"],
        "eval.max_samples=0: must be at least 1 (null evaluates the whole split). Fix: e.g. eval.max_samples=200",
    ),
    (
        "eval batch size of 0",
        ["eval.batch_size=0"],
        "eval.batch_size=0: must be at least 1. Fix: e.g. eval.batch_size=128",
    ),
    (
        "logging every 0 steps",
        ["train.logging_steps=0"],
        "train.logging_steps=0: the trainer logs every logging_steps steps (a fraction below 1: of max_steps), "
        "so it must be > 0. Fix: e.g. train.logging_steps=1",
    ),
    (
        "two ways to size the generation batch",
        ["train.steps_per_generation=2", "train.generation_batch_size=8"],
        "train.generation_batch_size=8: cannot be set together with train.steps_per_generation (2): each one "
        "fixes the generation batch. Fix: set only one of them (the other null)",
    ),
    (
        "negative eval holdout",
        ["data.eval_holdout=-1"],
        "data.eval_holdout=-1: must be at least 0 (0 = no held-out rows). Fix: e.g. data.eval_holdout=0",
    ),
    (
        "no training rows asked for",
        ["data.max_train_samples=0"],
        "data.max_train_samples=0: must be at least 1 (or null for every row). Fix: set "
        "data.max_train_samples to at least 1",
    ),
    (
        "chat template that is not Jinja",
        ["model.chat_template='{% if x %}unclosed'"],
        "model.chat_template='{% if x %}unclosed': not a valid Jinja template (line 1: Unexpected end of "
        "template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block "
        "that needs to be closed is 'if'). Fix: fix the template, or remove the key to use the tokenizer's own",
    ),
    (
        "all reward weights 0",
        ["reward.weights=[0,0]"],
        "reward.weights=[0, 0]: every reward weight is 0, so every completion scores 0 and GRPO learns "
        "nothing. Fix: give at least one reward a non-zero weight",
    ),
    (
        "every reward entry weighted 0",
        ["reward.reward_functions[0].weight=0", "reward.reward_functions[1].weight=0.0"],
        "reward.reward_functions[*].weight=[0, 0.0]: every reward weight is 0, so every completion scores 0 "
        "and GRPO learns nothing. Fix: give at least one reward a non-zero weight",
    ),
]


@pytest.mark.parametrize(("mistake", "args", "line"), CONFIG_LINES, ids=[c[0] for c in CONFIG_LINES])
def test_config_mistake_line(mistake: str, args: list[str], line: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, SCRIPT, *args], cwd=tmp_path, capture_output=True, text=True, env=OFFLINE
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.splitlines() == ["rlvr: 1 config error(s):", f"  - {line}"], result.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []  # a rejected config leaves nothing behind


# (mistake, the reward's _target_, the whole line of the config error: {dir} holds the user modules)
IMPORT_LINES = [
    (
        "custom reward with a syntax error",
        "bad_syntax.score",
        "reward.reward_functions[0]._target_='bad_syntax.score': cannot import it: syntax error in "
        "{dir}/bad_syntax.py line 3: unmatched ')'. Fix: fix that line of the module",
    ),
    (
        "custom reward with a missing dependency",
        "missing_dep.score",
        "reward.reward_functions[0]._target_='missing_dep.score': cannot import it: its module imports "
        "'not_installed_pkg_xyz', which is not installed. Fix: pip install the package that provides "
        "'not_installed_pkg_xyz'",
    ),
    (
        "custom reward that raises on import",
        "raises_on_import.score",
        "reward.reward_functions[0]._target_='raises_on_import.score': cannot import it: importing it raised "
        "RuntimeError: no config file found. Fix: fix {dir}/raises_on_import.py line 1 so that the module imports",
    ),
    (
        "reward _target_ that is a number",
        "1.5",
        "reward.reward_functions[0]._target_=1.5: _target_ must be a dotted import path. Fix: use "
        "package.module.Name",
    ),
]


@pytest.mark.parametrize(("mistake", "target", "line"), IMPORT_LINES, ids=[c[0] for c in IMPORT_LINES])
def test_custom_reward_import_line(mistake: str, target: str, line: str, tmp_path: Path) -> None:
    write_user_modules(tmp_path)
    result = subprocess.run(
        [sys.executable, SCRIPT, f"reward.reward_functions[0]._target_={target}", "mode=check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**OFFLINE, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    expected = ["rlvr: 1 config error(s):", f"  - {line.format(dir=tmp_path)}"]
    assert result.stderr.splitlines() == expected and result.stdout == "", result.stdout + result.stderr


# (mistake, the run dir ({tmp}: the test's folder), a file-size limit or None, the whole line)
RUN_DIR_LINES = [
    (
        "run dir under /proc",
        "/proc/x",
        None,
        "rlvr: hydra.run.dir=/proc/x: cannot write the run there: No such file or directory. Fix: choose a "
        "writable directory with free space, e.g. hydra.run.dir=outputs/my-run",
    ),
    (
        "run dir on a full disk",
        "{tmp}/run",
        1000,  # nothing over 1 kB can be written: as a full disk, for real
        "rlvr: hydra.run.dir={tmp}/run: cannot write the run there: File too large. Fix: choose a writable "
        "directory with free space, e.g. hydra.run.dir=outputs/my-run",
    ),
]


@pytest.mark.parametrize(
    ("mistake", "target", "limit", "line"), RUN_DIR_LINES, ids=[c[0] for c in RUN_DIR_LINES]
)
def test_run_dir_line(mistake: str, target: str, limit: int | None, line: str, tmp_path: Path) -> None:
    run_dir = target.format(tmp=tmp_path)
    result = subprocess.run(
        [sys.executable, SCRIPT, "mode=check", f"hydra.run.dir={run_dir}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=OFFLINE,
        preexec_fn=file_size_limit(limit),
    )
    assert (result.returncode, result.stderr.splitlines()) == (2, [line.format(tmp=tmp_path)]), result.stderr
    assert not (Path(run_dir) / ".hydra").exists()  # refused before Hydra wrote anything


@pytest.mark.slow
def test_a_non_ascii_run_dir_name(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Catalogue: "non-ASCII run dir name" — Hydra's lexer refused it unquoted; rlvr quotes it."""
    run_dir = tmp_path / "ñandú-run"
    args = [
        "mode=check",
        f"model.model_name_or_path={tiny_model_dir}",
        "data.hub_id=null",
        "data.path=pkg://rlvr/data/builtin/smoke_math_train.jsonl",
        f"hydra.run.dir={run_dir}",
    ]
    result = run_until(args, None)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"rlvr: check passed: {run_dir / 'check_report.json'}" in result.stdout.splitlines()
    assert "- mode=check" in (run_dir / ".hydra" / "overrides.yaml").read_text(
        encoding="utf-8"
    )  # not 0 bytes
    assert str(run_dir) in (run_dir / ".hydra" / "hydra.yaml").read_text(encoding="utf-8")
