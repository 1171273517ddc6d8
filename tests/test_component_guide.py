"""The worked examples in COMPONENT_GUIDE.md run as written, on top of the smoke preset.

The guide's Python blocks become importable modules, its YAML blocks become config options in a second
config folder (``hydra.searchpath``, so nothing is written into the repository's ``conf/``), and every
``python run_pipeline.py …`` command in its prose is composed and validated exactly as printed. Then
the examples do what the guide says: the dataset loads and drops its bad row, the reward set judges
evaluation and passes ``mode=check``, the observer keeps ``metrics.jsonl`` and the console and adds a
CSV — and one training run uses all three on the tiny offline model.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from omegaconf import DictConfig, OmegaConf, open_dict

import rlvr.config.overrides
from rlvr.config import build, validate_config
from rlvr.config.errors import ConfigValidationError
from rlvr.config.validate import collect_issues
from rlvr.modes import MODES
from rlvr.run_dir import RunDir
from tests.conftest import ROOT, compose_config

GUIDE = (ROOT / "COMPONENT_GUIDE.md").read_text()
_BLOCK = re.compile(r"<!-- example: (\w+) (\S+) -->\n```(\w+)\n(.*?)```", re.S)
_COMMAND = re.compile(r"`python run_pipeline\.py ([^`]+)`")
EXAMPLES = {name: body for _, name, _, body in _BLOCK.findall(GUIDE)}
COMMANDS = [shlex.split(args) for args in _COMMAND.findall(GUIDE)]
VALUES = [2 * i for i in range(10)] + ["n/a"]  # the last gold answer is not an integer: dropped, counted


class Guide:
    """Where the guide's files were written, and how to compose one of its commands."""

    def __init__(self, root: Path):
        self.conf, self.work = root / "conf", root / "work"

    def compose(self, args: list[str], *extra: str) -> DictConfig:
        return compose_config([*args, *extra, f"hydra.searchpath=[file://{self.conf}]"])

    def command(self, *words: str) -> list[str]:
        """The guide's one command that holds all of ``words`` (``mode=train`` when it names no mode)."""
        (found,) = [
            c for c in COMMANDS if all(w in c or (w == "mode=train" and _mode(c) == "train") for w in words)
        ]
        return found


def _mode(command: list[str]) -> str:
    return next((a.split("=", 1)[1] for a in command if a.startswith("mode=")), "train")


@pytest.fixture
def guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Guide:
    """The guide's modules on sys.path, its YAML as config options, and the files its commands name."""
    files = Guide(tmp_path)
    for name, body in EXAMPLES.items():
        target = (
            files.conf / name.removeprefix("conf/") if name.startswith("conf/") else tmp_path / "src" / name
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    # `data_component=X` picks `reward_component=X` when that file exists: look for it among the guide's.
    monkeypatch.setattr(rlvr.config.overrides, "CONF_DIR", files.conf)
    files.work.mkdir()
    monkeypatch.chdir(files.work)
    Path("my_arithmetic.jsonl").write_text(
        "".join(json.dumps({"expression": f"{i} + {i}", "value": v}) + "\n" for i, v in enumerate(VALUES))
    )
    Path("my_completions.jsonl").write_text(
        json.dumps({"completion": "7 + 7 = 14\n#### 14", "answer": "14"})
        + "\n"
        + json.dumps({"completion": "I think it is 13 " + "really " * 40, "answer": "14"})
        + "\n"
    )
    yield files
    for module in [m for m in sys.modules if m.startswith(("my_tasks", "my_rewards", "my_observers"))]:
        del sys.modules[module]


def _tiny(model_dir: Path) -> list[str]:
    """The smoke preset with the tiny offline model instead of SmolLM2 (same code paths, seconds)."""
    return [f"model.model_name_or_path={model_dir}", "model.eos_token=null"]


def test_the_guide_has_its_examples_and_commands() -> None:
    assert {"my_tasks/arithmetic.py", "my_rewards.py", "my_observers.py"} <= EXAMPLES.keys()
    assert len(COMMANDS) == 4 and all(c[0] == "experiment=smoke" for c in COMMANDS)


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=[" ".join(c) for c in COMMANDS])
def test_every_command_in_the_guide_composes_and_validates(guide: Guide, index: int) -> None:
    validate_config(guide.compose(COMMANDS[index]), modes=MODES)


# --- dataset ------------------------------------------------------------------------------------


def test_dataset_example_loads_with_the_smoke_preset(guide: Guide) -> None:
    cfg = guide.compose(guide.command("mode=train", "data_component=arithmetic"))
    assert cfg.data._target_ == "my_tasks.arithmetic.ArithmeticData" and cfg.data.eval_holdout == 2
    assert "eval_path" not in cfg.data  # no key of the preset's bundled data reaches the new task
    splits = build(cfg.data).load(build(cfg.prompts))
    assert len(splits.train) + len(splits.eval) == 10  # 11 rows, 2 held out, 1 dropped (in either split)
    counts = splits.info["splits"]
    assert counts["train"]["dropped_unparseable"] + counts["eval"]["dropped_unparseable"] == 1
    assert splits.train[0]["prompt"][-1]["content"].startswith("What is ")


def test_dataset_source_keys_are_checked_despite_kwargs(guide: Guide) -> None:
    cfg = guide.compose(guide.command("mode=train", "data_component=arithmetic"), "data.eval_hodlout=5")
    with pytest.raises(
        ConfigValidationError, match=r"data.eval_hodlout=5: unknown key.*did you mean data.eval_holdout"
    ):
        validate_config(cfg)


def test_a_kwargs_constructor_without_checks_lets_a_typo_through(guide: Guide, tmp_path: Path) -> None:
    """What the guide warns about: `**source: Any` instead of `Unpack[RowSource]` accepts any key silently."""
    (tmp_path / "src" / "my_tasks" / "loose.py").write_text(
        "from typing import Any\n\nfrom my_tasks.arithmetic import ArithmeticData\n\n\n"
        "class LooseData(ArithmeticData):\n"
        "    def __init__(self, expression_field: str = 'expression', **source: Any):\n"
        "        super().__init__(expression_field, **source)\n"
    )
    cfg = guide.compose(guide.command("mode=train", "data_component=arithmetic"), "data.eval_hodlout=5")
    with open_dict(cfg):
        cfg.data._target_ = "my_tasks.loose.LooseData"
    assert collect_issues(cfg) == []


def test_check_mode_passes_on_the_guides_task_and_rewards(guide: Guide, tiny_model_dir: Path) -> None:
    cfg = guide.compose(guide.command("mode=check"), *_tiny(tiny_model_dir))
    report = MODES["check"](cfg, RunDir(guide.work / "run"))
    assert report["passed"] and report["data"]["task"] == "arithmetic"
    gold = report["gold_rewards"]["train"]["exact_integer"]
    assert (gold["maximum"], gold["below_maximum"], gold["mean"]) == (1.0, 0, 1.0)
    assert json.loads((guide.work / "run" / "check_report.json").read_text())["passed"]


# --- reward -------------------------------------------------------------------------------------


def test_reward_set_is_chosen_with_the_task_and_judges_evaluation(guide: Guide) -> None:
    cfg = guide.compose(guide.command("mode=train", "data_component=arithmetic"))
    rewards = build(cfg.reward)
    assert rewards.names == ["exact_integer", "brevity"] and rewards.weights == [1.0, 0.5]
    scores = [
        f(prompts=["q"] * 2, completions=["#### 4", "4 " * 40], answer=["4", "4"]) for f in rewards.functions
    ]
    assert scores == [[1.0, 0.0], [0.2, 0.0]]  # 40 words: no `####`, and too long for brevity's 30
    judge = rewards.judge()
    assert judge.name == "exact_integer at its maximum 1.0"
    assert judge.is_correct("2 + 2 = 4\n#### 4", {"prompt": "q", "answer": "4"})
    assert judge.extract("2 + 2 = 4\n#### 4") == "4"  # the eval `extracted` column: the reward's format
    assert rewards.format_check() is None  # no @format_reward: the prompt's answer format decides format_ok


def test_reward_follows_the_prompts_answer_format(guide: Guide) -> None:
    cfg = guide.compose(guide.command("mode=train", "data_component=arithmetic"), "prompts=boxed")
    validate_config(cfg)
    judge = build(cfg.reward).judge()
    assert judge.is_correct("\\boxed{4}", {"answer": "4"}) and not judge.is_correct("#### 4", {"answer": "4"})


def test_score_mode_applies_the_guides_rewards(guide: Guide) -> None:
    cfg = guide.compose(guide.command("mode=score"))
    summary = MODES["score"](cfg, RunDir(guide.work / "run"))
    rows = [json.loads(line) for line in Path(summary["output"]).read_text().splitlines()]
    assert [(r["exact_integer"], r["brevity"]) for r in rows] == [(1.0, 0.2), (0.0, 0.0)]


# --- observer -----------------------------------------------------------------------------------


def test_observer_adds_a_csv_and_keeps_the_default_outputs(
    guide: Guide, capsys: pytest.CaptureFixture
) -> None:
    cfg = guide.compose(guide.command("observer_component=csv"))
    sinks = cfg.observer.sinks  # the default's outputs, with the guide's entry merged in
    assert (
        list(sinks) == ["jsonl", "console", "wandb", "tensorboard", "csv"] and sinks.console.level == "normal"
    )
    observer = build(cfg.observer)
    run_dir = RunDir(guide.work / "run")
    observer.start(run_dir, {})
    observer.log_metrics({"loss": 0.5, "reward": 1.0}, step=1)
    observer.log_eval({"tag": "after", "accuracy": 0.25, "samples": []}, step=1)
    observer.finish()
    assert list(csv.reader(run_dir.file("metrics.csv").open())) == [
        ["step", "loss", "reward"],
        ["1", "0.5", "1.0"],
    ]
    lines = [json.loads(line) for line in run_dir.file("metrics.jsonl").read_text().splitlines()]
    assert [(m["kind"], m.get("loss"), m.get("eval/accuracy")) for m in lines] == [
        ("train", 0.5, None),
        ("eval", None, 0.25),
    ]
    assert re.search(r"rlvr: step 1 +loss +0\.5 +reward +1\b", capsys.readouterr().out)


def test_observer_keys_are_checked(guide: Guide) -> None:
    cfg = guide.compose(guide.command("observer_component=csv"), "observer.sinks.csv.keyz=[loss]")
    with pytest.raises(
        ConfigValidationError, match=r"observer.sinks.csv.keyz.*did you mean observer.sinks.csv.keys"
    ):
        validate_config(cfg)
    cfg = guide.compose(guide.command("observer_component=csv"), "observer.wandb.mode=sometimes")
    with pytest.raises(ConfigValidationError, match="observer.sinks.wandb.mode='sometimes': expected one of"):
        validate_config(cfg)


def test_an_added_output_loses_no_other_output(guide: Guide) -> None:
    """W&B's completion tables stay on beside the guide's output: the observer asks every sink."""
    wandb = ["observer.sinks.wandb.enabled=true", "observer.sinks.wandb.completions_every=3"]
    observer = build(guide.compose(guide.command("observer_component=csv"), *wandb).observer)
    assert list(observer.sinks) == ["jsonl", "console", "wandb", "csv"] and observer.completions_every() == 3


def test_the_guides_command_line_entry_composes(guide: Guide) -> None:
    cfg = guide.compose(["experiment=smoke", "+observer.sinks.csv._target_=my_observers.CsvSink"])
    validate_config(cfg, modes=MODES)
    assert list(build(cfg.observer).sinks) == ["jsonl", "console", "csv"]


# --- all three in one training run ----------------------------------------------------------------


def _train_config(guide: Guide, model_dir: Path) -> DictConfig:
    args = guide.command("mode=train", "data_component=arithmetic")
    cfg = guide.compose(
        args,
        "observer_component=csv",
        *_tiny(model_dir),
        "train.max_completion_length=8",
        "eval.max_new_tokens=8",
        "eval.max_samples=2",
    )
    validate_config(cfg)
    return cfg


def test_a_training_run_uses_the_guides_dataset_reward_and_observer(
    guide: Guide, tiny_model_dir: Path
) -> None:
    from rlvr.modes import run

    run_dir = guide.work / "run"
    report: dict[str, Any] = run(_train_config(guide, tiny_model_dir), RunDir(run_dir))
    assert report["reward_functions"] == {"exact_integer": 1.0, "brevity": 0.5}
    assert (
        report["train"]["global_step"] == 2 and report["after"]["judge"] == "exact_integer at its maximum 1.0"
    )
    rows = list(csv.reader((run_dir / "metrics.csv").open()))
    assert rows[0] == ["step", "loss", "reward"] and [r[0] for r in rows[1:]] == ["1", "2"]
    metrics = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert sum("rewards/exact_integer/mean" in m for m in metrics if m["kind"] == "train") == 2
    assert (
        OmegaConf.load(run_dir / "resolved_config.yaml").data._target_ == "my_tasks.arithmetic.ArithmeticData"
    )
