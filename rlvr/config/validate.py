"""Validate a composed config without building anything, and report every problem at once.

For each component node: resolve interpolations, import its ``_target_`` (our component modules
import torch/transformers lazily, so this is cheap), bind the node's keys to the target's signature
(``inspect.signature(...).bind``), check each value against its parameter's annotation
(:mod:`rlvr.config.types`), then ask the component for its own rules through an optional
``config_issues(prefix, kwargs)`` static method. Rules therefore live next to the code they protect.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rlvr.config.build import target_or_issue
from rlvr.config.errors import ConfigIssue, ConfigValidationError, closest, unknown_key_issue
from rlvr.config.overrides import COMPONENT_NODES
from rlvr.config.types import annotation_issues

#: What validation knows of the modes: the registry (name → run function), or the names alone.
Modes = Mapping[str, Callable[..., Any]] | Iterable[str]


def validate_config(cfg: DictConfig, modes: Modes = ("train",)) -> None:
    """Raise :class:`ConfigValidationError` listing all issues in ``cfg``; return quietly when it is valid."""
    issues = collect_issues(cfg, modes)
    if issues:
        raise ConfigValidationError(issues)


def collect_issues(cfg: DictConfig, modes: Modes = ("train",)) -> list[ConfigIssue]:
    """All issues in ``cfg``; an empty list means it is valid. ``modes`` is the registry
    (:data:`rlvr.modes.MODES`: name → run function), or just the names when no mode's inputs need checking."""
    modes = modes if isinstance(modes, Mapping) else dict.fromkeys(modes)
    issues: list[ConfigIssue] = []
    mode = cfg.get("mode", "train")
    if mode not in modes:
        issues.append(
            ConfigIssue(
                "mode",
                mode,
                f"unknown mode; known modes: {', '.join(modes)}",
                f"use one of mode={'|'.join(modes)}",
            )
        )
    issues.extend(mode_input_issues(cfg, modes.get(mode)))
    for name in COMPONENT_NODES:
        issues.extend(_node_issues(cfg, name))
    pairing = unsloth_rollout_issues(cfg)
    if pairing:  # replaces the rollout node's own verdict ("vLLM is not installed" would mislead here)
        issues = [i for i in issues if i.key != "train.rollout.backend"] + pairing
    if not issues:
        resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
        issues.extend(answer_format_issues(resolved) + task_routing_issues(resolved))
    return issues


def mode_input_issues(cfg: DictConfig, run: Callable[..., Any] | None) -> list[ConfigIssue]:
    """The chosen mode's own input rules: ``input_issues(cfg)`` of the module that defines its run
    function, when it has one (``mode=score``'s input file, ``mode=compare``'s tables, ``profile.*``). Read
    from the registry the caller passes, so configuration imports no mode."""
    rules = getattr(inspect.getmodule(run), "input_issues", None) if run is not None else None
    return list(rules(cfg)) if callable(rules) else []


#: Unsloth with TRL's vLLM path, said once: here before anything loads, and by
#: :func:`rlvr.rollout.choice.resolve_backend` when the pair reaches run time anyway.
UNSLOTH_VLLM = ConfigIssue(
    "train.rollout.backend",
    "vllm",
    "TRL's vLLM path does not work with model_component=unsloth (it would load a second copy)",
    "use model.fast_inference=true for Unsloth's vLLM, or train.rollout.backend=auto (rlvr's engine on a "
    "GPU) or hf (Unsloth's generation)",
)


def unsloth_rollout_issues(cfg: DictConfig) -> list[ConfigIssue]:
    """``model_component=unsloth`` with ``train.rollout.backend=vllm``: TRL's vLLM path would load a second
    copy of the weights beside Unsloth's. Said here, before Unsloth is imported and the model loaded."""
    target = OmegaConf.select(cfg, "model._target_", default="")
    backend = OmegaConf.select(cfg, "train.rollout.backend", default=None)
    if not str(target).endswith(".UnslothModel") or backend != "vllm":
        return []
    return [UNSLOTH_VLLM]


def answer_format_issues(config: dict[str, Any]) -> list[ConfigIssue]:
    """The prompt's answer format must be one the rewards and the evaluator read: a reward's
    ``answer_format`` param must equal it, and any ``strategies`` list must contain it."""
    asked = (config.get("prompts") or {}).get("answer_format")
    if not asked:
        return []
    fix = f"use ${{prompts.answer_format}} there, or change prompts.answer_format (now {asked!r})"
    issues = []
    places = [
        (f"reward.reward_functions[{i}].params", (e or {}).get("params") or {})
        for i, e in enumerate((config.get("reward") or {}).get("reward_functions") or [])
    ]
    places.append(("eval", config.get("eval") or {}))
    for prefix, params in places:
        if "answer_format" in params and params["answer_format"] != asked:
            issues.append(
                ConfigIssue(
                    f"{prefix}.answer_format",
                    params["answer_format"],
                    f"the prompt asks for {asked!r} answers but this requires another format",
                    fix,
                )
            )
        strategies = params.get("strategies")
        if isinstance(strategies, list) and strategies and asked not in strategies:
            issues.append(
                ConfigIssue(
                    f"{prefix}.strategies",
                    strategies,
                    f"the prompt asks for {asked!r} answers but this never extracts them",
                    fix,
                )
            )
    return issues


def task_routing_issues(config: dict[str, Any]) -> list[ConfigIssue]:
    """Several tasks in one run (``data.tasks``): each task is scored by some correctness reward (one for
    every row, or one routed to it with ``tasks: [...]``); a routed task name close to a data task but not
    one is a typo (a name far from all is allowed: the entry of a task left out of the mixture scores
    nothing); each task's own prompt asks for the answer format the rewards read."""
    data_tasks = (config.get("data") or {}).get("tasks")
    if not isinstance(data_tasks, dict):
        return []
    names, issues = sorted(data_tasks), []
    entries = [e or {} for e in (config.get("reward") or {}).get("reward_functions") or []]
    for i, entry in enumerate(entries):
        for task in entry.get("tasks") or []:
            if task not in names and (guess := closest(str(task), names)):
                issues.append(
                    ConfigIssue(
                        f"reward.reward_functions[{i}].tasks",
                        entry["tasks"],
                        f"the data has no task {task!r} (its tasks: {', '.join(names)})",
                        f"did you mean {guess}?",
                    )
                )
    judged = [e.get("tasks") for e in entries if _is_correctness(e.get("_target_"))]
    asked = (config.get("prompts") or {}).get("answer_format")
    for name in names:
        if not any(tasks is None or name in tasks for tasks in judged):
            issues.append(
                ConfigIssue(
                    f"data.tasks.{name}",
                    name,
                    "no correctness reward scores this task's rows",
                    f"add `{name}` to the `tasks` of its correctness reward in reward.reward_functions",
                )
            )
        own = ((data_tasks[name] or {}).get("prompt") or {}).get("answer_format")
        if own and asked and own != asked:
            issues.append(
                ConfigIssue(
                    f"data.tasks.{name}.prompt.answer_format",
                    own,
                    f"the rewards read {asked!r} answers (prompts.answer_format) but this task's prompt asks "
                    f"for {own!r}",
                    f"set data.tasks.{name}.prompt.answer_format={asked}, or change prompts.answer_format",
                )
            )
    return issues


def _is_correctness(target: Any) -> bool:
    scorer, issue = target_or_issue("reward", target)
    return issue is None and getattr(scorer, "correctness_max_param", None) is not None


def resolved_node(cfg: DictConfig, name: str) -> tuple[Any, list[ConfigIssue]]:
    """``cfg.<name>`` as plain data, or an issue naming the interpolation in it that does not resolve."""
    node = cfg.get(name)
    try:
        return (OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else node), []
    except OmegaConfBaseException as err:
        key = f"{name}.{err.full_key}" if getattr(err, "full_key", None) else name
        rule, fix = (
            f"cannot resolve interpolation ({err.msg})",
            "fix the ${...} reference or set the value directly",
        )
        return None, [ConfigIssue(key, None, rule, fix)]


def _node_issues(cfg: DictConfig, name: str) -> list[ConfigIssue]:
    kwargs, issues = resolved_node(cfg, name)
    if issues or isinstance(kwargs, dict):
        return issues or component_issues(name, kwargs)
    fix = f"restore the '{name}' group in conf/config.yaml's defaults list"
    return [ConfigIssue(name, kwargs, "component node is missing or not a mapping", fix)]


def component_issues(prefix: str, node: dict[str, Any]) -> list[ConfigIssue]:
    """The checks of a top-level node, for a component node given as a plain dict under ``prefix``: a node
    inside another one (a benchmark suite's data, prompt and judge, a task mixture's data) gets the same
    import, binding, type and own-rule checks as the node it sits in."""
    kwargs = dict(node)
    target_path = kwargs.pop("_target_", None)
    if not target_path:
        rule, fix = (
            "every component node needs a _target_",
            f"set {prefix}._target_ to the class that builds it",
        )
        return [ConfigIssue(f"{prefix}._target_", None, rule, fix)]
    target, issue = target_or_issue(f"{prefix}._target_", target_path)
    if issue:
        return [issue]
    return bind_issues(prefix, target, kwargs, what=target_path) + value_issues(prefix, target, kwargs)


def value_issues(prefix: str, target: Any, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Values that do not fit their parameter's annotation, then the component's own rules. A key both
    flag is reported once, with the component's (more specific) message; the component's complaints
    about the parts of a mistyped value (``prompts.few_shot[0]`` of a string) are left out."""
    typed = annotation_issues(prefix, target, kwargs)
    try:
        own = own_rule_issues(prefix, target, kwargs)
    except (TypeError, ValueError, AttributeError, KeyError):
        if not typed:
            raise  # a bug in the component's rules, not in the config
        own = []  # the rules assumed well-typed values; the type issues say what to fix
    mistyped = tuple(issue.key for issue in typed)
    own = [issue for issue in own if not issue.key.startswith(tuple(k + c for k in mistyped for c in ".["))]
    claimed = {issue.key for issue in own}
    return [issue for issue in typed if issue.key not in claimed] + own


def bind_issues(prefix: str, target: Any, kwargs: dict[str, Any], what: str) -> list[ConfigIssue]:
    """Bind ``kwargs`` to ``target``'s signature; unknown keys get a 'did you mean' suggestion."""
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    params = signature.parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    issues = []
    named = [n for n, p in params.items() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    if not accepts_any:
        for key in kwargs:
            if key not in params:
                issues.append(unknown_key_issue(prefix, key, kwargs[key], named, what))
    known = {k: v for k, v in kwargs.items() if k in params or accepts_any}
    try:
        signature.bind(**known)
    except TypeError as err:
        missing = [n for n in named if params[n].default is inspect.Parameter.empty and n not in kwargs]
        for key in missing:
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}", None, f"required by {what} but not set", f"set {prefix}.{key}=<value>"
                )
            )
        if not missing:
            issues.append(
                ConfigIssue(
                    prefix,
                    None,
                    f"arguments do not fit {what} ({err})",
                    "compare the node's keys with the target's signature",
                )
            )
    return issues


def own_rule_issues(prefix: str, target: Any, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Component-specific rules, declared by the component as ``config_issues(prefix, kwargs)``."""
    check = getattr(target, "config_issues", None)
    return list(check(prefix, kwargs)) if callable(check) else []
