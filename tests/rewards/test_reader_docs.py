"""CONFIGURATION_GUIDE.md states every extraction strategy and each preset's extraction order as conf/
composes them, so the guide a user reads cannot drift from the readers."""

from __future__ import annotations

import re

import pytest

from rlvr.answers import STRATEGIES
from tests.conftest import ROOT
from tests.rewards.preset_params import correctness_params

GUIDE = (ROOT / "CONFIGURATION_GUIDE.md").read_text(encoding="utf-8")
SECTION = GUIDE.split("### Reading answers", 1)[1].split("\n## ", 1)[0]
# The prompt each preset is documented with, as "asked format" in the order column.
PRESET_PROMPTS = {
    "gsm8k": "math_reasoning",
    "math_symbolic": "boxed",
    "finqa": "finqa_reasoning",
    "think_format": "think_answer",
    "reasoning_gym": "think_answer",
}


def test_every_strategy_has_a_row() -> None:
    rows = re.findall(r"^\| `(\w+)` \|", SECTION, re.M)
    assert [r for r in rows if r in STRATEGIES] == list(STRATEGIES)


@pytest.mark.parametrize(("preset", "prompt"), PRESET_PROMPTS.items())
def test_each_presets_order_is_the_documented_one(preset: str, prompt: str) -> None:
    row = re.search(rf"^\| `{preset}`[^|]*\| ([^|]+) \|", SECTION, re.M)
    assert row is not None, f"no row for {preset} in the guide's reading-answers section"
    documented = re.findall(r"`(\w+)`", row.group(1).split("(")[0])
    composed = correctness_params(preset, prompt)["strategies"]
    assert row.group(1).startswith("asked format") and composed[0] in STRATEGIES
    assert documented == composed[1:]
