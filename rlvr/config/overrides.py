"""Normalise command-line overrides before Hydra parses them.

What users type that Hydra rejects or misreads is made to work here:

* ``reward.reward_functions[0].params.correct_reward=5.0`` — Hydra spells list indices as ``.0``.
* ``train.beta=0.1`` when the YAML does not list ``beta`` — Hydra's struct mode would demand ``+``.
* ``data_component=finqa`` — the defaults list places the group at a package (``data_component@data``),
  which Hydra wants repeated in the override; the short form is rewritten to it.
* ``x=1 --cfg job y=2`` — Hydra cannot split its overrides around a flag; flags are moved to the front.

Choosing a task also chooses its rewards: ``data_component=X`` adds ``reward_component=X`` when
``conf/reward_component/X.yaml`` exists and the command line does not pick a reward set itself
(FinQA's gold answers need FinQA's verifier, reasoning-gym's need the library's scorer). Hydra cannot
express this in the defaults list — a group can only override choices listed before it, and ``data``
comes first — so it is done here, visibly: the added override shows in ``.hydra/overrides.yaml``.

Component nodes are *open*: every ``<node>.<key>=value`` override is rewritten to Hydra's force-add
form ``++<node>.<key>=value``. Deciding which keys are valid is the job of
:func:`rlvr.config.validate.validate_config`, which checks them against the component's real
signature (and ``trl.GRPOConfig``'s fields for ``train``) and suggests the closest valid key.
"""

from __future__ import annotations

import re
from pathlib import Path

from rlvr.config.errors import ConfigIssue, closest
from rlvr.config.plugins import plugin_issues

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"

#: Config group -> the node it fills (conf/config.yaml's defaults list: ``data_component@data``, ...).
COMPONENT_GROUPS = {
    "data_component": "data",
    "model_component": "model",
    "training_loop_component": "train",
    "reward_component": "reward",
    "evaluation_component": "eval",
    "observer_component": "observer",
    "prompts": "prompts",
}
#: The config nodes that hold a component; their keys are validated, not struct-checked by Hydra.
COMPONENT_NODES = tuple(COMPONENT_GROUPS.values())
#: Keys inside a node that pick an option of a group (placed there by the node's own defaults list):
#: ``eval.suite=math_std`` selects ``conf/eval_suite/math_std.yaml``.
GROUP_KEYS = {"eval.suite": "eval_suite"}

_INDEX = re.compile(r"\[(\d+)\]")
_OVERRIDE = re.compile(r"^(?P<prefix>\+\+|\+|~)?(?P<key>[A-Za-z_][\w.\[\]/@-]*)(?P<rest>=.*|)$", re.S)


#: Observer keys from before ``observer.sinks`` → where they live now. On the command line the old
#: spellings are rewritten and keep working; in a YAML node validation names the new key
#: (:meth:`rlvr.observers.RunObserver.config_issues`).
MOVED_KEYS = {
    "observer.console": "observer.sinks.console.level",
    "observer.metrics_file": "observer.sinks.jsonl.filename",
    "observer.wandb": "observer.sinks.wandb",
    "observer.tensorboard": "observer.sinks.tensorboard",
    "observer.backends": "observer.sinks.<name>.enabled=true",
}


def moved_overrides(arg: str) -> list[str]:
    """``arg`` in today's spelling: ``observer.backends=[wandb]`` → ``observer.sinks.wandb.enabled=true``,
    ``observer.wandb.mode=offline`` → ``observer.sinks.wandb.mode=offline``; anything else unchanged."""
    match = _OVERRIDE.match(arg)
    if not match or not match.group("rest") or match.group("prefix") == "~":
        return [arg]
    key, rest = match.group("key"), match.group("rest")
    if key == "observer.backends":
        names = [n.strip() for n in rest[1:].strip().strip("[]").split(",") if n.strip()]
        return [f"observer.sinks.{name}.enabled=true" for name in names]
    for old, new in MOVED_KEYS.items():
        if key == old or key.startswith(f"{old}."):
            return [f"{match.group('prefix') or ''}{new}{key[len(old) :]}{rest}"]
    return [arg]


def quote_non_ascii(arg: str) -> str:
    """``hydra.run.dir=runs/ñandú`` → ``hydra.run.dir='runs/ñandú'``: Hydra's override lexer takes only
    ASCII outside quotes and stops with a ``LexerNoViableAltException`` traceback. Lists, dicts, sweeps
    (a comma) and values that are quoted already, or hold both quote characters, are left as they are."""
    key, sep, value = arg.partition("=")
    if arg.startswith("-") or not sep or value.isascii() or value[:1] in "'\"[{" or "," in value:
        return arg
    quote = "'" if "'" not in value else '"'
    return arg if quote in value else f"{key}={quote}{value}{quote}"


def normalise_override(arg: str) -> str:
    """Rewrite one override; anything that is not a component-node key override is returned unchanged."""
    if arg.startswith("-"):
        return arg
    arg = quote_non_ascii(arg)
    match = _OVERRIDE.match(arg)
    if match and match.group("prefix") == "~":  # deletion: only the index spelling changes
        return "~" + _INDEX.sub(r".\1", match.group("key")) + match.group("rest")
    if not match or not match.group("rest"):
        return arg
    key = _INDEX.sub(r".\1", match.group("key"))
    if key in GROUP_KEYS and not match.group("prefix"):  # eval.suite=math_std: a group choice, not a value
        choice = f"{GROUP_KEYS[key]}@{key}"
        return f"~{choice}" if match.group("rest") == "=null" else f"{choice}{match.group('rest')}"
    if key in COMPONENT_GROUPS and COMPONENT_GROUPS[key] != key and not match.group("prefix"):
        return f"{key}@{COMPONENT_GROUPS[key]}{match.group('rest')}"
    root = key.split(".", 1)[0]
    if "." not in key or root not in COMPONENT_NODES:
        return arg
    prefix = match.group("prefix") or "++"
    if prefix == "+":  # '+' fails when the key exists; '++' adds or replaces, which is what users mean.
        prefix = "++"
    return f"{prefix}{key}{match.group('rest')}"


# Hydra's flags that take a value ('--cfg job', '-p train'): the value is not an override.
_FLAGS_WITH_VALUE = (
    "--cfg",
    "-c",
    "--package",
    "-p",
    "--config-name",
    "-cn",
    "--config-path",
    "-cp",
    "--config-dir",
    "-cd",
    "--experimental-rerun",
)
# '--info' takes an optional value; without one Hydra uses "all".
_INFO_FLAGS = ("--info", "-i")
_INFO_CHOICES = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")


# Hydra runs one command per call; each spelling -> the command it names.
_COMMANDS = {
    **dict.fromkeys(("--run", "-r"), "--run"),
    **dict.fromkeys(("--multirun", "-m"), "--multirun"),
    **dict.fromkeys(("--cfg", "-c"), "--cfg"),
    **dict.fromkeys(_INFO_FLAGS, "--info"),
    **dict.fromkeys(("--shell-completion", "-sc"), "--shell-completion"),
}


def command_issues(args: list[str]) -> list[ConfigIssue]:
    """Two Hydra commands in one call (``-m`` with ``--cfg``), which Hydra refuses with a traceback."""
    used = sorted({_COMMANDS[a.split("=", 1)[0]] for a in args if a.split("=", 1)[0] in _COMMANDS})
    if len(used) < 2:
        return []
    fix = f"keep one of {' '.join(used)}"
    if {"--multirun", "--cfg"} <= set(used):
        fix = "drop --cfg to run the sweep, or drop -m and give each swept key one value to print that job's config"
    return [ConfigIssue("command line", " ".join(used), "Hydra runs only one of these per call", fix)]


def group_option_issues(args: list[str]) -> list[ConfigIssue]:
    """Command-line mistakes caught before Hydra, which reports them without a suggestion or with a traceback:
    group selections (``data_component=finqq``, ``experiment=smok``) naming no file in ``conf/``, each with
    the closest option and the full list; two commands in one call (:func:`command_issues`); Hydra options
    whose plugin is not installed (:func:`rlvr.config.plugins.plugin_issues`). Hydra's own groups
    (``hydra/launcher``, ...) also take options from Hydra and its plugins, so only their plugins are checked."""
    issues = command_issues(args) + root_key_issues(args) + plugin_issues(args, CONF_DIR)
    for arg in args:
        key, sep, value = arg.lstrip("+").partition("=")
        shown = key  # eval.suite=math_sdt is reported as typed, though the group is eval_suite
        group = GROUP_KEYS.get(key, key).split("@", 1)[0]
        if (
            not sep
            or "." in GROUP_KEYS.get(key, key)
            or group.startswith("hydra/")
            or not (CONF_DIR / group).is_dir()
        ):
            continue
        options = sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))
        for option in value.split(","):
            if option and option != "null" and option not in options:
                guess = closest(option, options)
                issues.append(
                    ConfigIssue(
                        shown.split("@", 1)[0],
                        option,
                        f"no such option in conf/{group}/ (options: {', '.join(options)})",
                        f"did you mean {shown.split('@', 1)[0]}={guess}?"
                        if guess
                        else f"use one of {', '.join(options)}",
                    )
                )
    return issues


def root_keys() -> set[str]:
    """Every name an override may start with: component nodes, config groups, root keys, ``hydra``."""
    import yaml

    root = yaml.safe_load((CONF_DIR / "config.yaml").read_text(encoding="utf-8")) or {}
    groups = {p.name for p in CONF_DIR.iterdir() if p.is_dir()}
    return set(root) | set(COMPONENT_NODES) | groups | {"hydra"}


def root_key_issues(args: list[str]) -> list[ConfigIssue]:
    """``trian.max_steps=3`` or ``mdoe=check``: a first name that is no node, group or root key gets the
    closest one (Hydra would advise prefixing ``+``, which only adds a key nothing reads)."""
    known, issues = root_keys(), []
    for arg in args:
        if arg.startswith("-") or "=" not in arg or arg.startswith("~"):
            continue
        key = arg.lstrip("+").split("=", 1)[0]
        root = re.split(r"[.@\[/]", key, maxsplit=1)[0]  # hydra/launcher=..., data_component@data=...
        if root and root not in known:
            guess = closest(root, sorted(known))
            fixed = key.replace(root, guess, 1) if guess else None
            fix = (
                f"did you mean {fixed}?" if fixed else f"start the key with one of {', '.join(sorted(known))}"
            )
            issues.append(ConfigIssue(key, arg.split("=", 1)[1], "unknown key", fix))
    return issues


def normalise_overrides(args: list[str]) -> list[str]:
    """Normalise every override in an argv-style list, flags (``-m``, ``--cfg job``) first.

    Hydra reads overrides as one argparse positional, which cannot be split around flags:
    ``data_component=finqa --cfg job x=1`` fails with "unrecognized arguments". Moving every flag (with its
    value) to the front lets users type flags anywhere, and lets companion overrides be appended."""
    flags: list[str] = []
    overrides: list[str] = []
    i = 0
    while i < len(args):
        arg, i = args[i], i + 1
        if arg in _FLAGS_WITH_VALUE:
            flags += args[i - 1 : i + 1]
            i += 1
        elif arg in _INFO_FLAGS:  # give the optional value explicitly, so it cannot swallow an override
            given = i < len(args) and args[i] in _INFO_CHOICES
            flags += [arg, args[i] if given else "all"]
            i += int(given)
        elif arg.startswith("-"):
            flags.append(arg)
        else:
            overrides += [normalise_override(a) for a in moved_overrides(arg)]
    return flags + overrides + companion_overrides(overrides)


def companion_overrides(overrides: list[str]) -> list[str]:
    """``reward_component@reward=X`` for a chosen ``data_component@data=X`` with a same-named reward set."""
    chosen = dict(
        arg.split("=", 1) for arg in overrides if "=" in arg and not arg.startswith(("-", "+", "~"))
    )
    task = chosen.get("data_component@data")
    if not task or "reward_component@reward" in chosen or "," in task:
        return []
    return (
        [f"reward_component@reward={task}"]
        if (CONF_DIR / "reward_component" / f"{task}.yaml").exists()
        else []
    )
