"""The field names of ``trl.GRPOConfig``, read without importing trl.

Importing trl takes 7-18 s (it pulls in torch and transformers); config validation must answer in
about a second. The fields are therefore read from the installed sources with :mod:`ast`, following
GRPOConfig's dataclass bases. If the sources are laid out differently than expected (a new trl
release), we fall back to importing trl, which is slow but always right.
``tests/config/test_grpo_fields.py`` checks both paths agree.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

# (package, module file, class) from GRPOConfig down to TrainingArguments, as laid out in trl 1.15.
_CLASS_CHAIN = (
    ("trl", "trainer/grpo_config.py", "GRPOConfig"),
    ("trl", "trainer/base_config.py", "_BaseConfig"),
    ("transformers", "training_args.py", "TrainingArguments"),
)


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {package!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def _class_fields(path: Path, class_name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {
                stmt.target.id
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and not stmt.target.id.startswith("_")
                and "ClassVar" not in ast.unparse(stmt.annotation)
            }
    raise LookupError(f"class {class_name} not found in {path}")


def _fields_from_source() -> frozenset[str]:
    names: set[str] = set()
    for package, module_file, class_name in _CLASS_CHAIN:
        names |= _class_fields(_package_dir(package) / module_file, class_name)
    if "num_generations" not in names or "learning_rate" not in names:
        raise LookupError("parsed GRPOConfig fields look incomplete")
    return frozenset(names)


def _fields_from_import() -> frozenset[str]:
    import dataclasses

    from trl import GRPOConfig

    return frozenset(f.name for f in dataclasses.fields(GRPOConfig) if f.init and not f.name.startswith("_"))


@functools.lru_cache(maxsize=1)
def grpo_config_fields() -> frozenset[str]:
    """Every init field of ``trl.GRPOConfig`` (including those inherited from TrainingArguments)."""
    try:
        return _fields_from_source()
    except (OSError, LookupError, SyntaxError, ModuleNotFoundError):
        return _fields_from_import()
