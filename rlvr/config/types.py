"""Check config values against type annotations, so ``eval.max_samples=abc`` fails at validation.

Bounds ride on the annotation (``Annotated[int, AtLeast(1)]``), and a parameter or field annotated with a
typed settings node (:class:`rlvr.config.settings.Settings`) is checked key by key inside it — so is
each entry of a ``dict[str, X]`` and each item of a ``list[X]`` of them (``key[0].field``), and the keys
a ``**source: Unpack[X]`` parameter collects.

Values come from YAML or the command line, so they are plain ``int``, ``float``, ``bool``, ``str``,
``None``, lists and dicts; the annotations are the components' own (``typing.get_type_hints``) or
GRPOConfig's (:mod:`rlvr.config.grpo_fields`). What we cannot judge passes: ``Any``, classes a YAML
value cannot be (a config object), annotations that do not resolve. A false alarm would block a valid
run; a miss only delays the error to construction time, where it surfaced before.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import os
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from rlvr.config.errors import ConfigIssue, closest


@dataclass(frozen=True)
class AtLeast:
    """``Annotated[int, AtLeast(1)]``: the value is at least ``low`` (``strict``: above it)."""

    low: float
    strict: bool = False
    #: What the bound means, for the message (e.g. "0 switches it off").
    note: str = ""

    def problem(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        low = _spell(self.low)
        if self.strict and value <= self.low:
            return f"must be greater than {low}" + (f" ({self.note})" if self.note else "")
        if not self.strict and value < self.low:
            return f"must be at least {low}" + (f" ({self.note})" if self.note else "")
        return None

    def fix(self, key: str) -> str:
        return f"set {key} {'above' if self.strict else 'to at least'} {_spell(self.low)}"


@dataclass(frozen=True)
class AtMost:
    """``Annotated[float, AtMost(1)]``: the value is at most ``high``."""

    high: float

    def problem(self, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= self.high:
            return None
        return f"must be at most {_spell(self.high)}"

    def fix(self, key: str) -> str:
        return f"set {key} to at most {_spell(self.high)}"


@dataclass(frozen=True)
class Renamed:
    """``Annotated[Literal["auto", "hf"], Renamed("trl", "hf")]``: ``old`` is still accepted and read as
    ``new`` (the component maps it and says so); the choices a message lists stay today's."""

    old: Any
    new: Any


def _bare(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """``hint`` without ``Annotated`` metadata, and the metadata."""
    if typing.get_origin(hint) is Annotated:
        bare, *meta = typing.get_args(hint)
        return bare, tuple(meta)
    return hint, ()


_SEQUENCES = (list, tuple, collections.abc.Sequence, collections.abc.Iterable, collections.abc.Collection)
_MAPPINGS = (dict, collections.abc.Mapping)


def _choices(hint: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return tuple(m.value for m in hint)
    return None


def _union_args(hint: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return None


def matches(hint: Any, value: Any) -> bool:
    """Whether ``value`` (a YAML/CLI value) fits ``hint``; ints fit floats, bools fit only bools."""
    hint = _bare(hint)[0]
    if hint is Any or hint is inspect.Parameter.empty or isinstance(hint, (str, typing.TypeVar)):
        return True  # unresolved forward reference or type variable: cannot judge
    if hint is None or hint is type(None):
        return value is None
    if (arms := _union_args(hint)) is not None:
        return any(matches(arm, value) for arm in arms)
    if (choices := _choices(hint)) is not None:
        if isinstance(hint, type) and isinstance(value, hint):
            return True  # an enum member itself
        return any(type(value) is type(c) and value == c for c in choices)  # 1 is not True here
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    origin, args = typing.get_origin(hint) or hint, typing.get_args(hint)
    if origin in _MAPPINGS:
        return isinstance(value, dict) and (
            len(args) != 2 or all(matches(args[1], v) for v in value.values())
        )
    if origin in _SEQUENCES:
        if not isinstance(value, (list, tuple)):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(args) == len(value) and all(map(matches, args, value))
        return not args or all(matches(args[0], item) for item in value)
    if isinstance(origin, type) and issubclass(origin, os.PathLike):
        return isinstance(value, (str, origin))
    if dataclasses.is_dataclass(hint):  # a typed settings node: a mapping of its fields
        return isinstance(value, (dict, hint))
    return True  # a class a YAML value cannot be; the component may convert it


def describe(hint: Any, plural: bool = False) -> str:
    """The expected type in words, e.g. ``a number``, ``a bool or null``, ``one of: a, b``, ``a list of
    strings`` (``plural`` names the items of a container)."""
    hint = _bare(hint)[0]  # an arm of a union may carry bounds: `Annotated[int, AtLeast(1)] | None`
    if (arms := _union_args(hint)) is not None:
        named = [describe(a, plural) for a in arms if a is not type(None)]
        return " or ".join(named + (["null"] if type(None) in arms else []))
    if (choices := _choices(hint)) is not None:
        return ("values from: " if plural else "one of: ") + ", ".join(_spell(c) for c in choices)
    nouns = {bool: "bool", int: "int", float: "number", str: "string", type(None): "null", None: "null"}
    origin, args = typing.get_origin(hint) or hint, typing.get_args(hint)
    if origin in _MAPPINGS:
        noun = "mapping"
    elif origin in _SEQUENCES:
        if plural or not args or args[0] is Any:
            noun = "list"
        else:
            return "a list of " + describe(args[0], plural=True)
    elif hint in nouns:
        noun = nouns[hint]
    elif dataclasses.is_dataclass(hint):
        noun = "mapping"
    else:
        return getattr(hint, "__name__", str(hint))
    if plural:
        return noun + "s"
    if hint is bool:
        return "a bool (true or false)"
    return noun if noun == "null" else ("an " if noun[0] in "aeiou" else "a ") + noun


def _spell(value: Any) -> str:
    """A value as the user would type it on the command line."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)  # a typed settings node: the mapping the YAML writes
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_spell, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_spell(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value)


def value_issues_of(
    key: str, value: Any, hint: Any, default: Any = inspect.Parameter.empty
) -> list[ConfigIssue]:
    """What is wrong with ``value`` under ``hint``: its type or choice, a bound it breaks, or — for a typed
    settings node given as a mapping — every issue inside it (:meth:`Settings.node_issues`)."""
    nested = settings_class(hint)
    if nested is not None and isinstance(value, dict):
        return nested.node_issues(key, value)
    entry = _entry_settings(hint, _MAPPINGS)
    if entry is not None and isinstance(value, dict):  # `tasks: dict[str, Task]`: each entry is a node
        return [
            issue for name, item in value.items() for issue in value_issues_of(f"{key}.{name}", item, entry)
        ]
    item_class = _entry_settings(hint, _SEQUENCES)
    if item_class is not None and isinstance(value, list):  # `entries: list[Entry]`: each item is a node
        return [
            issue
            for n, item in enumerate(value)
            for issue in value_issues_of(f"{key}[{n}]", item, item_class)
        ]
    value = next((m.new for m in _bare(hint)[1] if isinstance(m, Renamed) and _same(value, m.old)), value)
    if issue := type_issue(key, value, hint, default):
        return [issue]
    for bound in _bounds(hint, value):
        if hasattr(bound, "problem") and (rule := bound.problem(value)):
            usable = default not in (inspect.Parameter.empty, None) and not bound.problem(default)
            return [
                ConfigIssue(key, value, rule, f"e.g. {key}={_spell(default)}" if usable else bound.fix(key))
            ]
    return []


def _same(value: Any, old: Any) -> bool:
    return type(value) is type(old) and value == old


def _bounds(hint: Any, value: Any) -> tuple[Any, ...]:
    """The ``Annotated`` bounds that apply to ``value``: the hint's own, or those of the union arm it fits."""
    bare, meta = _bare(hint)
    if meta:
        return meta
    return next((_bare(arm)[1] for arm in _union_args(bare) or () if matches(arm, value)), ())


def type_issue(key: str, value: Any, hint: Any, default: Any = inspect.Parameter.empty) -> ConfigIssue | None:
    """An issue naming the key, the value, the expected type or choices and a fix; None when it fits."""
    if matches(hint, value):
        return None
    hint = _bare(hint)[0]
    expected = describe(hint)
    rule = f"expected {expected} (got {type(value).__name__})"
    arms = [_bare(a)[0] for a in (_union_args(hint) or (hint,)) if a is not type(None)]
    nullable = type(None) in (_union_args(hint) or ())
    choices = [c for arm in arms for c in (_choices(arm) or ())]
    example = "" if default in (inspect.Parameter.empty, None) else f", e.g. {key}={_spell(default)}"
    if choices:
        guess = closest(str(value), [str(c) for c in choices]) if isinstance(value, str) else None
        fix = f"did you mean {key}={guess}?" if guess else f"use one of: {', '.join(map(_spell, choices))}"
    elif bool in arms:
        fix = f"use {key}=true or {key}=false" + (f" (or {key}=null)" if nullable else "")
    elif str in arms and isinstance(value, (int, float)):
        fix = f"quote it so it stays text: {key}='{value}'"
    elif arms and all(a in (int, float) for a in arms):
        fix = f"set {key} to a number{example}"
    else:
        fix = f"set {key} to {expected}{example}"
    return ConfigIssue(key, value, rule, fix)


def parameter_hints(target: Any) -> dict[str, Any]:
    """Resolved annotations of ``target``'s parameters (a class: its ``__init__``). Modules using
    ``from __future__ import annotations`` store them as strings; one that does not resolve is skipped."""
    function = target.__init__ if inspect.isclass(target) else target
    try:
        return typing.get_type_hints(function, include_extras=True)
    except Exception:  # one bad annotation: resolve the others one by one
        pass
    namespace = getattr(inspect.unwrap(function), "__globals__", {})
    hints = {}
    for name, annotation in getattr(function, "__annotations__", {}).items():
        try:  # the evaluation get_type_hints performs, one annotation at a time
            hints[name] = eval(annotation, namespace) if isinstance(annotation, str) else annotation
        except Exception:
            continue
    return hints


def annotation_issues(prefix: str, target: Any, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """A type issue for each value in ``kwargs`` that does not fit its parameter's annotation."""
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return []
    hints = parameter_hints(target)
    issues = []
    for key, value in kwargs.items():
        param = params.get(key)
        if param is None or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or key not in hints:
            continue
        issues += value_issues_of(f"{prefix}.{key}", value, hints[key], param.default)
    spread = next((p.name for p in params.values() if p.kind is p.VAR_KEYWORD), None)
    keys = _unpacked_settings(hints.get(spread))
    if keys is not None:  # `**source: Unpack[RowSource]`: the keys no parameter names form that node
        named = [n for n, p in params.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        rest = {key: value for key, value in kwargs.items() if key not in named}
        what = f"{target.__module__}.{target.__qualname__}"
        issues += keys.node_issues(prefix, rest, beside=named, what=what)
    return issues


def _entry_settings(hint: Any, containers: tuple[Any, ...]) -> Any:
    """The settings class ``X`` of the entries of ``dict[str, X]`` or ``list[X]``/``Sequence[X]`` (whichever
    ``containers`` names; ``| None`` allowed), or None."""
    bare = _bare(hint)[0]
    for arm in _union_args(bare) or (bare,):
        if typing.get_origin(arm) in containers and typing.get_args(arm):
            return settings_class(typing.get_args(arm)[-1])
    return None


def _unpacked_settings(hint: Any) -> Any:
    """The settings class ``X`` of ``**kwargs: Unpack[X]``, or None."""
    return settings_class(typing.get_args(hint)[0]) if typing.get_origin(hint) is typing.Unpack else None


def settings_class(hint: Any) -> Any:
    """The typed settings class ``hint`` names (``X``, ``X | None``, ``Annotated[X, ...]``), or None. A
    settings class is a dataclass with ``node_issues`` (:class:`rlvr.config.settings.Settings`); it is
    recognised by that shape so this module, which the settings module uses, does not import it."""
    bare = _bare(hint)[0]
    arms = [a for a in _union_args(bare) or (bare,) if a is not type(None)]
    if len(arms) == 1 and isinstance(arms[0], type) and _is_settings(arms[0]):
        return arms[0]
    return None


def _is_settings(cls: type) -> bool:
    return dataclasses.is_dataclass(cls) and callable(getattr(cls, "node_issues", None))
