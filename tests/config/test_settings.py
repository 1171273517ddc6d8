"""The typed-settings base: a nested node is checked from its dataclass, and built with its defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

import pytest

from rlvr.config.errors import ConfigIssue
from rlvr.config.settings import Settings, settings_class
from rlvr.config.types import AtLeast, AtMost, Renamed, annotation_issues


@dataclass(frozen=True)
class Inner(Settings):
    #: a bounded share
    share: Annotated[float, AtLeast(0), AtMost(1)] = 0.5


@dataclass(frozen=True)
class Outer(Settings):
    ALIASES = {"mode": {"old": "new"}}

    #: a choice with an old spelling
    mode: Literal["new", "other"] = "new"
    #: a positive count
    count: Annotated[int, AtLeast(1)] = 4
    #: a nested node
    inner: Inner = Inner()

    def rules(self, prefix: str) -> list[ConfigIssue]:
        if self.mode == "other" and self.count > 2:
            return [
                ConfigIssue(f"{prefix}.count", self.count, "other takes at most 2", f"set {prefix}.count=2")
            ]
        return []


def _lines(node: object) -> list[str]:
    return [str(issue) for issue in Outer.node_issues("x", node)]


def test_defaults_fill_what_the_node_leaves_out_and_nested_nodes_are_built():
    built = Outer.of({"count": 2, "inner": {"share": 0.25}})
    assert built == Outer(mode="new", count=2, inner=Inner(share=0.25))
    assert Outer.of(None) == Outer()
    assert Outer.defaults() == {"mode": "new", "count": 4, "inner": {"share": 0.5}}


def test_an_old_spelling_is_read_as_todays():
    assert Outer.of({"mode": "old"}).mode == "new"
    assert _lines({"mode": "old"}) == []


@pytest.mark.parametrize(
    ("node", "lines"),
    [
        ("fast", ["x='fast': must be a mapping. Fix: e.g. x.<key>=<value>"]),
        ({"cont": 3}, ["x.cont=3: unknown key: not accepted by x (Outer). Fix: did you mean x.count?"]),
        (
            {"mode": "nwe"},
            ["x.mode='nwe': expected one of: new, other (got str). Fix: did you mean x.mode=new?"],
        ),
        ({"count": 0}, ["x.count=0: must be at least 1. Fix: e.g. x.count=4"]),
        (
            {"count": True},
            ["x.count=True: expected an int (got bool). Fix: set x.count to a number, e.g. x.count=4"],
        ),
        ({"inner": {"share": 1.5}}, ["x.inner.share=1.5: must be at most 1. Fix: e.g. x.inner.share=0.5"]),
        (
            {"inner": 3},
            [
                "x.inner=3: expected a mapping (got int). Fix: set x.inner to a mapping, e.g. x.inner={share: 0.5}"
            ],
        ),
        # the cross-field rule runs only on well-typed values
        ({"mode": "other", "count": 3}, ["x.count=3: other takes at most 2. Fix: set x.count=2"]),
        (
            {"mode": "other", "count": "3"},
            ["x.count='3': expected an int (got str). Fix: set x.count to a number, e.g. x.count=4"],
        ),
    ],
)
def test_each_mistake_is_one_issue_naming_key_value_rule_and_fix(node, lines):
    assert _lines(node) == lines


def test_a_component_parameter_typed_with_settings_is_checked_inside():
    class Component:
        def __init__(self, outer: Outer | None = None, size: Annotated[int, AtLeast(2)] | None = None):
            pass

    assert settings_class(Outer | None) is Outer
    issues = annotation_issues("c", Component, {"outer": {"count": -1}, "size": 1})
    assert [str(i) for i in issues] == [
        "c.outer.count=-1: must be at least 1. Fix: e.g. c.outer.count=4",
        "c.size=1: must be at least 2. Fix: set c.size to at least 2",
    ]
    assert annotation_issues("c", Component, {"outer": None, "size": None}) == []


def test_a_bounded_optional_value_of_the_wrong_type_names_the_type():
    """`Annotated[int, AtLeast(1)] | None`: the message says int, not the Annotated wrapper."""

    class Component:
        def __init__(self, size: Annotated[int, AtLeast(1)] | None = 8):
            pass

    assert [str(i) for i in annotation_issues("c", Component, {"size": "abc"})] == [
        "c.size='abc': expected an int or null (got str). Fix: set c.size to a number, e.g. c.size=8"
    ]


def test_a_renamed_value_is_read_as_todays_and_not_offered():
    class Component:
        def __init__(self, backend: Annotated[Literal["auto", "hf"], Renamed("trl", "hf")] = "auto"):
            pass

    assert annotation_issues("c", Component, {"backend": "trl"}) == []
    assert [str(i) for i in annotation_issues("c", Component, {"backend": "tlr"})] == [
        "c.backend='tlr': expected one of: auto, hf (got str). Fix: use one of: auto, hf"
    ]


@dataclass(frozen=True)
class Entry(Settings):
    #: a required field
    path: str
    #: a bounded share
    share: Annotated[float, AtLeast(0)] = 0.5


def test_each_item_of_a_list_of_settings_is_checked_under_its_index():
    class Component:
        def __init__(self, entries: list[Entry], more: Sequence[Entry] | None = None):
            pass

    node = {"entries": [{"path": "a"}, {"path": "b", "shar": 1}, "c", {"share": -1}], "more": [{"path": 1}]}
    assert [str(i) for i in annotation_issues("c", Component, node)] == [
        "c.entries[1].shar=1: unknown key: not accepted by c.entries[1] (Entry). Fix: did you mean c.entries[1].share?",
        "c.entries[2]='c': expected a mapping (got str). Fix: set c.entries[2] to a mapping",
        "c.entries[3].path=None: required by c.entries[3] (Entry) but not set. Fix: set c.entries[3].path=<value>",
        "c.entries[3].share=-1: must be at least 0. Fix: e.g. c.entries[3].share=0.5",
        "c.more[0].path=1: expected a string (got int). Fix: quote it so it stays text: c.more[0].path='1'",
    ]
    assert annotation_issues("c", Component, {"entries": [{"path": "a"}], "more": None}) == []
    assert Entry.required() == ["path"]
