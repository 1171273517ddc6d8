"""The worked examples in COMPONENT_GUIDE.md run as written."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf, open_dict

from rlvr.config import build, validate_config
from rlvr.prompts import PromptTemplate
from tests.conftest import ROOT, compose_config

_BLOCK = re.compile(r"<!-- example: (\w+) (\S+) -->\n```(\w+)\n(.*?)```", re.S)


def _examples() -> dict[tuple[str, str], str]:
    text = (ROOT / "COMPONENT_GUIDE.md").read_text()
    return {(kind, name): body for kind, name, _, body in _BLOCK.findall(text)}


@pytest.fixture
def guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], str]:
    """Write the guide's Python examples as importable modules under tmp_path."""
    examples = _examples()
    for (_, name), body in examples.items():
        if name.endswith(".py"):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield examples
    for module in [m for m in sys.modules if m.startswith(("my_tasks", "my_rewards", "my_observers"))]:
        del sys.modules[module]


def test_dataset_example(guide: dict, tmp_path: Path) -> None:
    rows = tmp_path / "arith.jsonl"
    values = [2 * i for i in range(10)] + ["n/a"]  # the last gold answer is unparseable: dropped and counted
    rows.write_text(
        "\n".join(json.dumps({"expression": f"{i} + {i}", "value": v}) for i, v in enumerate(values))
    )
    cfg = compose_config()
    with open_dict(cfg):
        cfg.data = OmegaConf.create(guide["dataset", "conf/data_component/arithmetic.yaml"])
        cfg.data.path = str(rows)
        cfg.data.seed = 42
    validate_config(cfg)
    splits = build(cfg.data).load(PromptTemplate(system_prompt="Compute."))
    assert len(splits.train) + len(splits.eval) == 10
    assert (
        splits.info["splits"]["train"]["dropped_unparseable"]
        + splits.info["splits"]["eval"]["dropped_unparseable"]
        == 1
    )
    assert splits.train[0]["prompt"][-1]["content"].startswith("What is ")


def test_reward_example(guide: dict) -> None:
    cfg = compose_config()
    entry = OmegaConf.create(guide["reward", "entry"])
    with open_dict(cfg):
        cfg.reward.reward_functions.append(entry)
    validate_config(cfg)
    rewards = build(cfg.reward)
    assert rewards.names[-1] == "brevity" and rewards.weights[-1] == 0.5
    scores = rewards.functions[-1](
        prompts=["q", "q"], completions=["#### 4", "word " * 40], answer=["4", "4"]
    )
    assert scores == [0.2, 0.0]


def test_observer_example(guide: dict, tmp_path: Path) -> None:
    cfg = compose_config()
    with open_dict(cfg):
        cfg.observer = OmegaConf.create(guide["observer", "conf/observer_component/csv.yaml"])
    validate_config(cfg)
    observer = build(cfg.observer)
    observer.start(tmp_path, {})
    observer.log_metrics({"loss": 0.5, "reward": 1.0}, step=1)
    observer.log_metrics({"eval/accuracy": 0.1}, step=1, kind="eval")
    observer.finish()
    assert list(csv.reader((tmp_path / "metrics.csv").open())) == [
        ["step", "loss", "reward"],
        ["1", "0.5", "1.0"],
    ]
