"""The fields of ``trl.GRPOConfig`` — names, types, choices and defaults — read without importing trl.

Importing trl takes 7-18 s (it pulls in torch and transformers); config validation must answer in
about a second. The fields are therefore read from the installed sources with :mod:`ast`, following
GRPOConfig's dataclass bases, and their annotations are rebuilt as ``typing`` objects that
:mod:`rlvr.config.types` checks values against. Choices come from three places:

* ``Literal[...]`` annotations;
* enums in transformers (``SchedulerType``, ``SaveStrategy``, ...), also read with :mod:`ast`; a field
  typed ``SchedulerType | str`` is strict because ``TrainingArguments.__post_init__`` converts it with
  ``SchedulerType(self.lr_scheduler_type)``, which we detect in the same source;
* :data:`PROSE_CHOICES`, for ``str`` fields whose values TRL lists only in help text.

If the sources are laid out differently than expected (a new trl release), we fall back to importing
trl, which is slow but always right. ``tests/config/test_grpo_fields.py`` checks both paths agree.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib.util
import typing
from pathlib import Path
from typing import Any, Literal

# (package, module file, class) from GRPOConfig down to TrainingArguments, as laid out in trl 1.15-1.16.
_CLASS_CHAIN = (
    ("trl", "trainer/grpo_config.py", "GRPOConfig"),
    ("trl", "trainer/base_config.py", "_BaseConfig"),
    ("transformers", "training_args.py", "TrainingArguments"),
)
# Modules defining the enums TrainingArguments' annotations name.
_ENUM_FILES = ("trainer_utils.py", "training_args.py", "debug_utils.py")

#: Choices TRL declares only in ``metadata={"help": ...}`` prose (the fields are typed ``str``) and checks
#: inside the trainer, after the model has loaded. The prose differs per field, so a parser would be
#: fragile; tests/config/test_grpo_fields.py checks this table against the installed trl's help text.
PROSE_CHOICES: dict[str, tuple[Any, ...]] = {
    "loss_type": ("grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo", "luspo", "vespo"),
    # GRPOConfig.__post_init__ maps True -> "group" and False -> "none".
    "scale_rewards": ("group", "batch", "none", True, False),
    "importance_sampling_level": ("token", "sequence"),
    "multi_objective_aggregation": ("sum_then_normalize", "normalize_then_sum"),
    "vllm_mode": ("server", "colocate"),
}

#: Marks a default that is not a literal in the source (a call, a lambda).
NO_DEFAULT: Any = dataclasses.MISSING

_BUILTINS: dict[str, Any] = {
    "int": int,
    "float": float,
    "bool": bool,
    "str": str,
    "list": list,
    "List": list,
    "Sequence": list,
    "dict": dict,
    "Dict": dict,
    "tuple": tuple,
    "Tuple": tuple,
    "Any": Any,
}


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One GRPOConfig field: its checked type (``Any`` when unreadable) and its default (or NO_DEFAULT)."""

    name: str
    hint: Any
    default: Any


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {package!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def _class_node(path: Path, class_name: str) -> ast.ClassDef:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return node
    raise LookupError(f"class {class_name} not found in {path}")


def _enum_values(directory: Path) -> dict[str, tuple[str, ...]]:
    """``{EnumName: values}`` for every ``class X(ExplicitEnum|Enum)`` of string members in the files."""
    enums = {}
    for name in _ENUM_FILES:
        for node in ast.parse((directory / name).read_text(encoding="utf-8")).body:
            bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in getattr(node, "bases", [])}
            if isinstance(node, ast.ClassDef) and bases & {"ExplicitEnum", "Enum"}:
                values = tuple(
                    s.value.value
                    for s in node.body
                    if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant)
                )
                if values and all(isinstance(v, str) for v in values):
                    enums[node.name] = values
    return enums


def _converted_by_post_init(cls: ast.ClassDef, enums: dict[str, Any]) -> dict[str, str]:
    """``{field: EnumName}`` for ``self.field = EnumName(self.field)`` in ``__post_init__``: such a field
    accepts only the enum's values, whatever its annotation's ``| str`` says."""
    found = {}
    for fn in cls.body:
        if isinstance(fn, ast.FunctionDef) and fn.name == "__post_init__":
            for stmt in ast.walk(fn):
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Call)
                    and isinstance(stmt.value.func, ast.Name)
                    and stmt.value.func.id in enums
                    and isinstance(stmt.targets[0], ast.Attribute)
                ):
                    found[stmt.targets[0].attr] = stmt.value.func.id
    return found


def _hint(node: ast.expr | None, enums: dict[str, tuple[str, ...]]) -> Any:
    """Rebuild an annotation as a typing object; names we cannot know (config classes) become ``Any``."""
    if isinstance(node, ast.Constant):
        if node.value is None:
            return type(None)
        return _hint(ast.parse(node.value, mode="eval").body, enums) if isinstance(node.value, str) else Any
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = node.id if isinstance(node, ast.Name) else node.attr
        return Literal[enums[name]] if name in enums else _BUILTINS.get(name, Any)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return typing.Union[_hint(node.left, enums), _hint(node.right, enums)]  # noqa: UP007
    if isinstance(node, ast.Subscript):
        outer = ast.unparse(node.value).rsplit(".", 1)[-1]
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if outer == "Literal":
            return Literal[tuple(ast.literal_eval(p) for p in parts)]
        args = tuple(_hint(p, enums) for p in parts if not isinstance(p, ast.Constant) or p.value is not ...)
        if outer == "Optional":
            return typing.Union[args[0], None]  # noqa: UP007
        if outer == "Union":
            return typing.Union[args]  # noqa: UP007
        if _BUILTINS.get(outer) in (list, tuple):
            return list[args[0]]
        if _BUILTINS.get(outer) is dict and len(args) == 2:
            return dict[args[0], args[1]]
    return Any


def _default(call: ast.expr | None) -> Any:
    """The literal default of ``x: T = value`` or ``x: T = field(default=value | default_factory=list)``."""
    if call is None:
        return NO_DEFAULT
    if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("field"):
        for kw in call.keywords:
            if kw.arg == "default":
                return _default(kw.value)
            if (
                kw.arg == "default_factory"
                and isinstance(kw.value, ast.Name)
                and kw.value.id in ("list", "dict")
            ):
                return [] if kw.value.id == "list" else {}
        return NO_DEFAULT
    try:
        return ast.literal_eval(call)
    except (ValueError, TypeError, SyntaxError):
        return NO_DEFAULT


def _specs_from_source() -> dict[str, FieldSpec]:
    enums = _enum_values(_package_dir("transformers"))
    specs: dict[str, FieldSpec] = {}
    for package, module_file, class_name in reversed(_CLASS_CHAIN):  # base first: subclasses override
        cls = _class_node(_package_dir(package) / module_file, class_name)
        strict = _converted_by_post_init(cls, enums)
        for stmt in cls.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            if name.startswith("_") or "ClassVar" in ast.unparse(stmt.annotation):
                continue
            try:
                hint = _hint(stmt.annotation, enums)
            except (ValueError, SyntaxError):  # one odd annotation: leave that field unchecked
                hint = Any
            specs[name] = FieldSpec(name, hint, _default(stmt.value))
        for name, enum in strict.items():  # may convert a field a base class declares
            if name in specs:
                specs[name] = dataclasses.replace(specs[name], hint=Literal[enums[enum]])
    if "num_generations" not in specs or "learning_rate" not in specs:
        raise LookupError("parsed GRPOConfig fields look incomplete")
    return _with_prose_choices(specs)


def _specs_from_import() -> dict[str, FieldSpec]:
    from trl import GRPOConfig

    try:
        hints = typing.get_type_hints(GRPOConfig)
    except Exception:  # an annotation we cannot resolve: check names and defaults only
        hints = {}
    specs = {}
    for f in dataclasses.fields(GRPOConfig):
        if f.init and not f.name.startswith("_"):
            factory = f.default_factory
            default = f.default if factory is dataclasses.MISSING else factory()
            specs[f.name] = FieldSpec(f.name, hints.get(f.name, Any), default)
    return _with_prose_choices(specs)


def _with_prose_choices(specs: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
    for name, choices in PROSE_CHOICES.items():
        if name in specs:
            specs[name] = dataclasses.replace(specs[name], hint=Literal[choices])
    return specs


@functools.lru_cache(maxsize=1)
def grpo_config_specs() -> dict[str, FieldSpec]:
    """Every init field of ``trl.GRPOConfig`` (including those inherited from TrainingArguments)."""
    try:
        return _specs_from_source()
    except (OSError, LookupError, SyntaxError, ValueError, ModuleNotFoundError):
        return _specs_from_import()


def grpo_config_fields() -> frozenset[str]:
    """The names of GRPOConfig's init fields."""
    return frozenset(grpo_config_specs())


def grpo_config_defaults() -> dict[str, Any]:
    """TRL's default for every field whose default is a literal in its source."""
    return {
        name: spec.default for name, spec in grpo_config_specs().items() if spec.default is not NO_DEFAULT
    }
