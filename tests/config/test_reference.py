"""CONFIGURATION_GUIDE.md's key tables are the YAML's keys, values and comments (rlvr/config/reference.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.config.reference import BLOCK, FIX, GUIDE, Row, main, regenerate, render, rows, select, table
from tests.conftest import ROOT

SAMPLE = """\
# @package _global_
# A header that belongs to the first key.
defaults:
  - gsm8k
# The component.
_target_: pkg.Thing
# First line of a comment
# that goes on.
temperature: ${train.temperature}
# Choices: a | b.
choice: a
# Nested settings.
lora:
  # Rank.
  r: 16
  # Flow list, as written.
  targets: [q_proj, "v_proj"]
  # Block list, shown in flow style.
  modules:
    - lm_head
    - embed_tokens
# Entries.
reward_functions:
  # First entry.
  - _target_: pkg.score
    # Its weight.
    weight: 1.0
# A long text.
system_prompt: >-
  You are a careful math tutor. Solve the problem step by step, then write the final answer
  on its own last line.
"""


def test_rows_follow_the_yaml() -> None:
    assert rows(SAMPLE) == [
        Row("_target_", "pkg.Thing", "The component."),
        Row("temperature", "${train.temperature}", "First line of a comment that goes on."),
        Row("choice", "a", "Choices: a | b."),
        Row("lora", "", "Nested settings."),
        Row("lora.r", "16", "Rank."),
        Row("lora.targets", '[q_proj, "v_proj"]', "Flow list, as written."),
        Row("lora.modules", "[lm_head, embed_tokens]", "Block list, shown in flow style."),
        Row("reward_functions", "", "Entries."),
        Row("reward_functions[0]._target_", "pkg.score", "First entry."),
        Row("reward_functions[0].weight", "1.0", "Its weight."),
        Row("system_prompt", "You are a careful math tutor. Solve the problem step by ste…", "A long text."),
    ]


def test_select_keeps_or_drops_subtrees() -> None:
    found = rows(SAMPLE)
    assert [r.key for r in select(found, only=("lora",))] == [
        "lora",
        "lora.r",
        "lora.targets",
        "lora.modules",
    ]
    assert [r.key for r in select(found, only=("choice", "lora.r"))] == ["choice", "lora.r"]
    kept = [r.key for r in select(found, skip=("lora", "reward_functions"))]
    assert kept == ["_target_", "temperature", "choice", "system_prompt"]


def test_cells_escape_pipes_and_show_markup_as_typed() -> None:
    rendered = table([Row("a", "x|y", "one | two, _target_ and <run dir>, `<kept>` *"), Row("node", "", "m")])
    assert rendered.splitlines() == [
        "| key | default | meaning |",
        "|---|---|---|",
        r"| `a` | `x\|y` | one \| two, \_target_ and &lt;run dir>, `<kept>` \* |",
        "| `node` |  | m |",
    ]


def test_a_block_spec_names_an_existing_file_and_known_options() -> None:
    assert (
        render("conf/evaluation_component/default.yaml only=k")
        .splitlines()[2]
        .startswith("| `k` | `[1, 4, 8]`")
    )
    with pytest.raises(ValueError, match="unknown option"):
        render("conf/evaluation_component/default.yaml ony=k")
    with pytest.raises(ValueError, match="no keys selected"):
        render("conf/evaluation_component/default.yaml only=nope")


def test_check_fails_on_a_stale_table_and_write_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text("Intro.\n<!-- keys: conf/config.yaml only=profile -->\n| stale |\n<!-- /keys -->\nEnd.\n")
    assert main(["--check", "--guide", str(doc)]) == 1
    assert FIX in capsys.readouterr().out
    assert main(["--write", "--guide", str(doc)]) == 0
    assert "| `profile.samples` | `8` |" in doc.read_text()
    assert doc.read_text().endswith("<!-- /keys -->\nEnd.\n")
    assert main(["--check", "--guide", str(doc)]) == 0


def test_the_guide_tables_are_the_yaml() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    specs = [m["spec"] for m in BLOCK.finditer(guide)]
    assert len(specs) >= 10, "the guide's per-key tables are generated blocks"
    assert all((ROOT / spec.split()[0]).is_file() for spec in specs)
    assert regenerate(guide) == guide, f"CONFIGURATION_GUIDE.md's key tables differ from conf/. Fix: {FIX}"
