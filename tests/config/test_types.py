"""The annotation checker behind value validation: what fits, how it is described, what is skipped."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Unpack

import pytest

from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast, annotation_issues, describe, matches, parameter_hints


class Color(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("hint", "value", "fits"),
    [
        (int, 3, True),
        (int, True, False),  # bool is an int to Python, not to a config
        (int, 2.5, False),
        (float, 1, True),  # YAML writes whole floats as ints
        (float, "abc", False),
        (bool, True, True),
        (bool, "maybe", False),
        (bool, 1, False),
        (str, "x", True),
        (str, 5, False),
        (int | None, None, True),
        (bool | None, "maybe", False),
        (Literal["a", "b"], "a", True),
        (Literal["a", "b"], "c", False),
        (Literal[True, "x"], 1, False),  # 1 == True, but a config value 1 is not true
        (Color, "red", True),
        (Color, "blue", False),
        (list[int], [1, 2], True),
        (list[int], [1, "x"], False),
        (Sequence[str], "abc", False),  # a string is not a list of strings here
        (tuple[int, ...], [1, 2], True),
        (dict[str, bool], {"a": True}, True),
        (dict[str, bool], {"a": "x"}, False),
        (dict, [], False),
        (str | list[str], ["a"], True),
        (Any, object(), True),
        (Path, "some/file", True),  # a path is written as text
        (Color | int, 3, True),
        (type("Config", (), {}), {"a": 1}, True),  # a class a YAML value cannot be: not judged
    ],
)
def test_matches(hint: Any, value: Any, fits: bool) -> None:
    assert matches(hint, value) is fits


@pytest.mark.parametrize(
    ("hint", "words"),
    [
        (float, "a number"),
        (int | None, "an int or null"),
        (bool, "a bool (true or false)"),
        (Literal["a", True], "one of: a, true"),
        (Sequence[dict[str, str]], "a list of mappings"),
        (list[Literal["x", "y"]], "a list of values from: x, y"),
        (dict[str, Any] | None, "a mapping or null"),
    ],
)
def test_describe(hint: Any, words: str) -> None:
    assert describe(hint) == words


def _component(size: int = 1, flag: bool = False, ghost: NoSuchType = None, **rest: Any) -> None:  # noqa: F821
    """Annotations are strings here (``from __future__ import annotations``); ``ghost``'s cannot resolve."""


def test_unresolvable_annotation_skips_only_that_parameter() -> None:
    hints = parameter_hints(_component)
    assert hints["size"] is int and hints["flag"] is bool and "ghost" not in hints
    issues = annotation_issues("c", _component, {"size": "big", "flag": True, "ghost": 5, "other": "x"})
    assert [str(i) for i in issues] == [
        "c.size='big': expected an int (got str). Fix: set c.size to a number, e.g. c.size=1"
    ]


def test_class_targets_are_checked_through_init() -> None:
    class Component:
        def __init__(self, rate: float = 0.5, mode: Literal["a", "b"] = "a"):
            pass

    issues = annotation_issues("x", Component, {"rate": "fast", "mode": "c"})
    assert [i.key for i in issues] == ["x.rate", "x.mode"]
    assert str(issues[1]).endswith("Fix: use one of: a, b")


@dataclass(frozen=True)
class _Part(Settings):
    #: a positive count
    count: Annotated[int, AtLeast(1)] = 2


class _Spread:
    """Named keys beside ``**rest: Unpack[_Part]``, and a mapping of typed entries."""

    def __init__(self, name: str = "n", parts: dict[str, _Part] | None = None, **rest: Unpack[_Part]):
        pass


def test_unpacked_keys_are_checked_as_that_settings_node() -> None:
    """The keys no parameter names are ``_Part``'s: typed, bounded, and a typo is matched against every
    accepted key, the named parameters included."""
    issues = annotation_issues("x", _Spread, {"name": "a", "count": 0, "nmae": 1, "cont": 3})
    assert [str(i) for i in issues] == [
        f"x.nmae=1: unknown key: not accepted by {__name__}._Spread. Fix: did you mean x.name?",
        f"x.cont=3: unknown key: not accepted by {__name__}._Spread. Fix: did you mean x.count?",
        "x.count=0: must be at least 1. Fix: e.g. x.count=2",
    ]
    assert annotation_issues("x", _Spread, {"count": 3}) == []


def test_each_entry_of_a_mapping_of_settings_is_a_node() -> None:
    issues = annotation_issues("x", _Spread, {"parts": {"a": {"count": 1}, "b": {"count": 0}, "c": 5}})
    assert [(i.key, i.rule) for i in issues] == [
        ("x.parts.b.count", "must be at least 1"),
        ("x.parts.c", "expected a mapping (got int)"),
    ]
