"""Every YAML key in ``conf/`` is documented: a comment line sits directly above it.

The YAML files are the product's reference (``python run_pipeline.py --cfg job`` prints them), so a key
without a comment is an undocumented setting. The check walks the parsed YAML, not the text, so it sees
keys at any depth — reward entries' ``params:`` and the keys under them, nested ``lora`` settings,
experiment presets — and ignores what only looks like a key (text inside a multi-line string).

Exempt are values rather than settings: entries of a ``defaults`` list (Hydra's composition order, which
the file's header explains) and keys inside list items that are data, such as few-shot
``{question, answer}`` examples. A list item that names a ``_target_`` (a reward entry) is a component,
so its keys are documented like any other.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import CONF_DIR

YAML_FILES = sorted(CONF_DIR.rglob("*.yaml"))


def _is_component(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode) and any(k.value == "_target_" for k, _ in node.value)


def _key_lines(node: yaml.Node, in_defaults: bool = False) -> list[tuple[int, str]]:
    """(0-based line, key) of every key that documents a setting, at any depth."""
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not node.flow_style:  # keys of `{a: 1}` share their parent's line and comment
                found.append((key.start_mark.line, str(key.value)))
            if key.value == "defaults" and isinstance(value, yaml.SequenceNode):
                continue  # Hydra's defaults list: entries, not settings
            found += _key_lines(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if _is_component(item):  # a reward entry and the like: a component, documented
                found += _key_lines(item)
    return found


def undocumented_keys(text: str) -> list[tuple[int, str]]:
    """(1-based line, key) of each key whose line is not directly below a comment line."""
    lines = text.splitlines()
    root = yaml.compose(text)
    missing = []
    for line, key in _key_lines(root) if root is not None else []:
        above = lines[line - 1].strip() if line > 0 else ""
        if not above.startswith("#"):
            missing.append((line + 1, key))
    return missing


@pytest.mark.parametrize("path", YAML_FILES, ids=[str(p.relative_to(CONF_DIR)) for p in YAML_FILES])
def test_every_key_has_a_comment_above_it(path: Path) -> None:
    missing = undocumented_keys(path.read_text(encoding="utf-8"))
    assert not missing, (
        f"{path.relative_to(CONF_DIR)}: keys without a comment line directly above: "
        + ", ".join(f"line {line} `{key}`" for line, key in missing)
    )


def test_the_check_sees_nested_keys_and_skips_values() -> None:
    text = """\
# A reward set.
_target_: rlvr.rewards.RewardSet
# The functions.
reward_functions:
  # Correctness.
  - _target_: rlvr.rewards.correctness.numeric_correctness
    weight: 1.0
    # Parameters.
    params:
      correct_reward: 2.0
# Examples are data, not settings.
few_shot:
  - question: "1 + 1?"
    answer: "#### 2"
# A long text whose lines look like keys.
system_prompt: >-
  Answer: like this
# Composition order.
defaults:
  - gsm8k
  - override /prompts@prompts: boxed
nested:
  deeper:
    # Documented.
    deepest: 1
"""
    assert undocumented_keys(text) == [(7, "weight"), (10, "correct_reward"), (22, "nested"), (23, "deeper")]


def test_every_conf_folder_is_checked() -> None:
    checked = {p.parent.name for p in YAML_FILES}
    assert {"experiment", "reward_component", "data_component", "prompts"} <= checked
