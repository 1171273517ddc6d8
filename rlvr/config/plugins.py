"""Hydra options that come from an optional plugin: a missing plugin is named before Hydra runs.

    python run_pipeline.py -m hydra/launcher=submitit_slurm ...   # needs: pip install -e ".[slurm]"
    python run_pipeline.py -m hparams_search=optuna_lr ...        # its defaults pick hydra/sweeper=optuna

Without the plugin Hydra stops with "Could not find 'hydra/sweeper/optuna'" or an import traceback at
launch time; here the option is traced to the package and rlvr's extra that installs it. Options are
found on the command line (``hydra/launcher=joblib``) and in the defaults list of any ``conf/`` option the
command line picks (``hparams_search=optuna_lr`` holds ``override /hydra/sweeper: optuna``). Plugins are
looked up with ``importlib.util.find_spec``: nothing is imported.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rlvr.config.errors import ConfigIssue

#: (Hydra group, option) → (modules that must be importable, PyPI package, rlvr extra that installs it).
PLUGIN_OPTIONS: dict[tuple[str, str], tuple[tuple[str, ...], str, str]] = {
    ("hydra/launcher", "submitit_slurm"): (
        ("hydra_plugins.hydra_submitit_launcher", "submitit"),
        "hydra-submitit-launcher",
        "slurm",
    ),
    ("hydra/launcher", "submitit_local"): (
        ("hydra_plugins.hydra_submitit_launcher", "submitit"),
        "hydra-submitit-launcher",
        "slurm",
    ),
    ("hydra/launcher", "joblib"): (
        ("hydra_plugins.hydra_joblib_launcher", "joblib"),
        "hydra-joblib-launcher",
        "joblib",
    ),
    ("hydra/sweeper", "optuna"): (
        ("hydra_plugins.hydra_optuna_sweeper", "optuna"),
        "hydra-optuna-sweeper",
        "optuna",
    ),
}


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def plugin_issue(key: str, value: str, group: str, option: str) -> ConfigIssue | None:
    """The issue for ``group=option`` (set by ``key=value``) when its plugin is missing, else None."""
    needed = PLUGIN_OPTIONS.get((group, option))
    if needed is None or all(installed(module) for module in needed[0]):
        return None
    modules, package, extra = needed
    via = "" if key == group else f" (it selects {group}={option})"
    return ConfigIssue(
        key,
        value,
        f"needs Hydra's {package} plugin, which is not installed{via}",
        f'pip install -e ".[{extra}]"',
    )


def chosen_hydra_options(option_file: Path) -> list[tuple[str, str]]:
    """``(group, option)`` of every ``override /hydra/<group>: <option>`` in a config file's defaults."""
    import yaml

    try:
        loaded = yaml.safe_load(option_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    found = []
    for entry in loaded.get("defaults") or [] if isinstance(loaded, dict) else []:
        for name, option in entry.items() if isinstance(entry, dict) else []:
            group = str(name).removeprefix("override").strip().lstrip("/")
            if group.startswith("hydra/") and isinstance(option, str):
                found.append((group, option))
    return found


def plugin_issues(args: list[str], conf_dir: Path) -> list[ConfigIssue]:
    """Missing plugins behind the Hydra options a command line picks, directly or through a preset."""
    issues = []
    for arg in args:
        key, sep, value = arg.lstrip("+").partition("=")
        if not sep or arg.startswith("-"):
            continue
        group = key.split("@", 1)[0]
        for option in value.split(","):
            if group.startswith("hydra/"):
                chosen = [(group, option)]
            else:
                chosen = chosen_hydra_options(conf_dir / group / f"{option}.yaml") if "/" not in group else []
            issues += [issue for g, o in chosen if (issue := plugin_issue(key, option, g, o))]
    return issues
