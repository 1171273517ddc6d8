"""Typed settings for nested config nodes: one frozen dataclass per node, checked from its annotations.

    @dataclass(frozen=True)
    class RolloutSettings(Settings):
        #: Engine options in this node are the fields; their types and bounds are the rules.
        check_every: Annotated[int, AtLeast(1)] = 16

A component takes such a node as a parameter annotated with the class (``rollout: RolloutSettings |
None = None``) and turns what Hydra hands it into the value with :meth:`Settings.of`. Validation needs
nothing more: :func:`rlvr.config.types.value_issues_of` sees the dataclass annotation and calls
:meth:`Settings.node_issues`, which reports unknown keys (with the closest one), values that do not fit a
field's type, ``Literal`` choices or bounds, and then the node's cross-field :meth:`Settings.rules` —
the only checks written by hand. The defaults live in the YAML and in the fields, and
``tests/config/test_code_defaults.py`` keeps the two equal.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

from rlvr.config.errors import ConfigIssue, unknown_key_issue
from rlvr.config.types import settings_class, value_issues_of


@dataclasses.dataclass(frozen=True)
class Settings:
    """Base of every typed node. Subclasses are frozen dataclasses whose fields carry the defaults."""

    #: Old value spellings still accepted, per field: ``{"backend": {"trl": "hf"}}``.
    ALIASES: ClassVar[Mapping[str, Mapping[Any, Any]]] = {}

    @classmethod
    def of(cls, node: Settings | Mapping[str, Any] | None) -> Self:
        """The settings a node describes: the defaults for ``None``, the node's keys over them otherwise
        (nested settings fields built the same way). Validation has already checked the keys."""
        if node is None:
            return cls()
        if isinstance(node, cls):
            return node
        values = cls.normalized(dict(node))
        hints = cls.field_hints()
        for name, value in values.items():
            nested = settings_class(hints.get(name))
            if nested is not None and (value is None or isinstance(value, Mapping)):
                values[name] = nested.of(value)
        return cls(**values)

    @classmethod
    def normalized(cls, node: dict[str, Any]) -> dict[str, Any]:
        """``node`` with old spellings (:attr:`ALIASES`) replaced by today's."""
        return {
            key: cls.ALIASES.get(key, {}).get(value, value) if _hashable(value) else value
            for key, value in node.items()
        }

    @classmethod
    def field_hints(cls) -> dict[str, Any]:
        """Resolved annotations of the fields (``Annotated`` metadata kept)."""
        hints = typing.get_type_hints(cls, include_extras=True)
        return {f.name: hints[f.name] for f in dataclasses.fields(cls)}

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The defaults as the YAML writes them (nested settings as mappings)."""
        return cls().as_dict()

    def as_dict(self) -> dict[str, Any]:
        """The values as plain data, the shape of the YAML node (a tuple, the frozen form of a list
        default, as a list)."""
        return dataclasses.asdict(self, dict_factory=_yaml_dict)

    @classmethod
    def node_issues(
        cls, prefix: str, node: Any, beside: Sequence[str] = (), what: str = ""
    ) -> list[ConfigIssue]:
        """Everything wrong with ``node`` as this settings type: not a mapping, unknown keys, values that
        do not fit their field, then the cross-field :meth:`rules` when the values are well typed.
        ``beside`` names keys of the same node taken elsewhere (a constructor's own parameters beside
        ``**source: Unpack[...]``): they are suggested for a typo, and ``what`` names that taker."""
        if node is None:
            return []
        if not isinstance(node, Mapping):
            return [ConfigIssue(prefix, node, "must be a mapping", f"e.g. {prefix}.<key>=<value>")]
        node = cls.normalized(dict(node))
        hints = cls.field_hints()
        empty = inspect.Parameter.empty  # a required field has no default to suggest
        defaults = {
            f.name: empty if f.default is dataclasses.MISSING else f.default for f in dataclasses.fields(cls)
        }
        what = what or f"{prefix} ({cls.__name__})"
        issues = [
            unknown_key_issue(prefix, key, value, [*hints, *beside], what)
            for key, value in node.items()
            if key not in hints
        ]
        issues += [  # a field without a default (`_target_: str`) must be set
            ConfigIssue(
                f"{prefix}.{key}", None, f"required by {what} but not set", f"set {prefix}.{key}=<value>"
            )
            for key in cls.required()
            if key not in node
        ]
        for key, value in node.items():
            if key in hints:
                issues += value_issues_of(f"{prefix}.{key}", value, hints[key], defaults[key])
        if issues:
            return issues  # the rules assume well-typed values
        return cls.of(node).rules(prefix)

    @classmethod
    def required(cls) -> list[str]:
        """The fields without a default, which every node must set."""
        missing = dataclasses.MISSING
        return [
            f.name for f in dataclasses.fields(cls) if f.default is missing and f.default_factory is missing
        ]

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """Cross-field rules (and facts of this machine) a type cannot say; none by default."""
        return []


def _yaml_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in pairs}


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
