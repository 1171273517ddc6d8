"""Benchmark suites: the benchmarks papers report, each with its own source, prompt, judge and sampling.

    python run_pipeline.py mode=eval eval.suite=math_std model.model_name_or_path=<model or adapter>

A suite (``conf/eval_suite/<name>.yaml``, placed at ``eval.suite``) lists benchmarks. Each names

* its rows: ``hub_id`` (+ ``hub_config``, ``split``, ``revision``), or a local ``path`` that replaces the
  hub source (offline machines, tests, a frozen copy); ``question_field``, ``answer_field`` and
  ``answer_parser`` say how to read them — the generic data component reads them;
* its ``prompt``: a prompts node (the suite's defaults list composes one from ``conf/prompts``), or null
  for the run's own prompt;
* its ``judge``: one reward entry (``{_target_, params}``) whose correctness judge decides — numeric,
  ``symbolic_correctness``, FinQA's, or yours — or ``reward`` for the run's reward set;
* its sampling: ``samples: 0`` is greedy; ``samples: k`` also draws k completions per problem and makes
  ``mean@k`` (the k samples averaged, as AIME is reported) the benchmark's headline, with ``pass@k``.

This module turns an entry into those component nodes — the data, the reward set and the prompt are built
by the existing components, and the evaluator is the configured one with a few keys changed — and checks
them before anything loads. :mod:`rlvr.evaluation.suite_report` writes the tables and the summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from rlvr.config.errors import ConfigIssue, unknown_key_issue

GENERIC_DATA = "rlvr.data.generic.GenericQAData"
REWARD_SET = "rlvr.rewards.RewardSet"
SUITE_KEYS = ("name", "benchmarks", "max_samples", "max_new_tokens", "temperature")


@dataclass(frozen=True)
class Benchmark:
    """One benchmark of a suite (the keys of ``eval.suite.benchmarks.<name>``)."""

    name: str
    title: str | None = None
    hub_id: str | None = None
    hub_config: str | None = None
    revision: str | None = None
    split: str = "test"
    path: str | None = None
    question_field: str = "question"
    answer_field: str = "answer"
    answer_parser: str = "raw"
    prompt: dict[str, Any] | None = None
    judge: Any = "reward"
    samples: int = 0
    k: list[int] | None = None
    temperature: float | None = None
    max_samples: int | None = None
    max_new_tokens: int | None = None
    harness_gsm8k: bool = False

    @property
    def label(self) -> str:
        """The name tables and charts show."""
        return self.title or self.name

    @property
    def headline(self) -> str:
        """The benchmark's one figure: greedy ``accuracy``, or ``mean@k`` when it samples."""
        return f"mean@{self.samples}" if self.samples else "accuracy"

    def data_node(self) -> dict[str, Any]:
        """The generic data component reading this benchmark's rows as its one split (``train``)."""
        return {
            "_target_": GENERIC_DATA,
            "path": self.path,
            "hub_id": None if self.path else self.hub_id,
            "hub_config": self.hub_config,
            "revision": self.revision,
            "train_split": self.split,
            "eval_split": None,
            "eval_holdout": 0,
            "question_field": self.question_field,
            "answer_field": self.answer_field,
            "answer_parser": self.answer_parser,
        }

    def judge_node(self) -> dict[str, Any] | None:
        """A reward set holding the judge entry alone (its correctness judge decides); None: the run's."""
        return None if self.judge == "reward" else {"_target_": REWARD_SET, "reward_functions": [self.judge]}

    def evaluator_keys(self, suite: Suite, answer_format: str) -> dict[str, Any]:
        """The ``eval`` keys this benchmark changes: rows, sampling, length, and the format check's strategy
        (the benchmark prompt's answer format)."""
        keys: dict[str, Any] = {
            "max_samples": self.max_samples if self.max_samples is not None else suite.max_samples,
            "samples_per_problem": self.samples,
            "k": list(self.k or [self.samples]) if self.samples else [1],
            "strategies": list(dict.fromkeys([answer_format, "last_number"])),
            "every_n_steps": 0,
            "suite": None,
        }
        for key in ("temperature", "max_new_tokens"):
            value = getattr(self, key) if getattr(self, key) is not None else getattr(suite, key)
            if value is not None:
                keys[key] = value
        return keys


@dataclass(frozen=True)
class Suite:
    """The ``eval.suite`` node: its benchmarks in report order and the settings they share."""

    name: str
    benchmarks: list[Benchmark] = field(default_factory=list)
    max_samples: int | None = None
    max_new_tokens: int | None = None
    temperature: float | None = None

    @classmethod
    def from_node(cls, node: dict[str, Any]) -> Suite:
        """A suite from its (resolved, plain-Python) node."""
        benchmarks = [Benchmark(name=name, **dict(entry)) for name, entry in node["benchmarks"].items()]
        shared = {key: node.get(key) for key in ("max_samples", "max_new_tokens", "temperature")}
        return cls(name=str(node.get("name") or "suite"), benchmarks=benchmarks, **shared)


BENCHMARK_KEYS = tuple(f.name for f in fields(Benchmark) if f.name != "name")


def suite_issues(prefix: str, node: Any) -> list[ConfigIssue]:
    """Every problem in an ``eval.suite`` node: its keys, each benchmark's keys and sampling, and the data,
    prompt and judge nodes it builds, checked like top-level nodes (files exist, parsers and judges are
    known). Hub ids are checked for their shape only: nothing is downloaded."""
    if node is None:
        return []
    if not isinstance(node, dict) or not isinstance(node.get("benchmarks"), dict) or not node["benchmarks"]:
        return [
            ConfigIssue(
                prefix, node, "a suite needs a non-empty `benchmarks` mapping", "use eval.suite=math_std"
            )
        ]
    issues = [
        unknown_key_issue(prefix, key, value, SUITE_KEYS, "a benchmark suite")
        for key, value in node.items()
        if key not in SUITE_KEYS
    ]
    issues += _count_issues(prefix, node, ("max_samples", "max_new_tokens"))
    for name, entry in node["benchmarks"].items():
        issues += benchmark_issues(f"{prefix}.benchmarks.{name}", name, entry)
    return issues


def benchmark_issues(prefix: str, name: str, entry: Any) -> list[ConfigIssue]:
    """The problems of one benchmark entry (see :func:`suite_issues`)."""
    if not isinstance(entry, dict):
        return [
            ConfigIssue(prefix, entry, "a benchmark must be a mapping", "see conf/eval_suite/math_std.yaml")
        ]
    unknown = [key for key in entry if key not in BENCHMARK_KEYS]
    issues = [unknown_key_issue(prefix, key, entry[key], BENCHMARK_KEYS, "a benchmark") for key in unknown]
    if unknown:
        return issues
    issues += _count_issues(prefix, entry, ("max_samples", "max_new_tokens"))
    issues += _sampling_issues(prefix, entry)
    hub = entry.get("hub_id")
    if not entry.get("path") and hub is not None and (not isinstance(hub, str) or hub.count("/") != 1):
        issues.append(ConfigIssue(f"{prefix}.hub_id", hub, "not a hub dataset id", "use owner/name"))
    from rlvr.config.validate import component_issues  # the validator calls this module: import late

    benchmark = Benchmark(name=name, **entry)
    issues += component_issues(prefix, benchmark.data_node())
    if isinstance(benchmark.prompt, dict):
        issues += component_issues(f"{prefix}.prompt", benchmark.prompt)
    elif benchmark.prompt is not None:
        issues.append(ConfigIssue(f"{prefix}.prompt", benchmark.prompt, "not a prompts node", _PROMPT_FIX))
    return issues + _judge_issues(f"{prefix}.judge", benchmark)


_PROMPT_FIX = "null (the run's prompt) or a prompts node, e.g. `- /prompts@benchmarks.<name>.prompt: boxed`"


def _count_issues(prefix: str, node: dict[str, Any], keys: tuple[str, ...]) -> list[ConfigIssue]:
    return [
        ConfigIssue(
            f"{prefix}.{key}", node[key], "must be a positive integer or null", f"e.g. {prefix}.{key}=100"
        )
        for key in keys
        if node.get(key) is not None
        and (not isinstance(node[key], int) or isinstance(node[key], bool) or node[key] < 1)
    ]


def _sampling_issues(prefix: str, entry: dict[str, Any]) -> list[ConfigIssue]:
    """``samples`` is 0 (greedy) or k >= 1; each ``k`` of pass@k lies in 1..samples."""
    samples = entry.get("samples", 0)
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 0:
        return [
            ConfigIssue(f"{prefix}.samples", samples, "must be 0 (greedy) or a number of samples", "e.g. 16")
        ]
    ks = entry.get("k")
    if ks is None or samples == 0:
        return []
    bad = [k for k in ks if not isinstance(k, int) or not 1 <= k <= samples] if isinstance(ks, list) else ks
    if not bad:
        return []
    return [
        ConfigIssue(
            f"{prefix}.k",
            ks,
            f"every k must be between 1 and samples ({samples})",
            f"drop {bad} or raise samples",
        )
    ]


def _judge_issues(prefix: str, benchmark: Benchmark) -> list[ConfigIssue]:
    """The judge is ``reward`` or one correctness reward entry that reads the benchmark prompt's format."""
    if benchmark.judge == "reward":
        return []
    fix = "reward (the run's reward set) or one reward entry, e.g. {_target_: rlvr.rewards.correctness.symbolic_correctness, params: {strategies: [boxed]}}"
    if not isinstance(benchmark.judge, dict):
        return [ConfigIssue(prefix, benchmark.judge, "unknown judge", fix)]
    from rlvr.config.build import target_or_issue
    from rlvr.config.validate import component_issues

    inner = f"{prefix}._reward_set_.reward_functions[0]"
    issues = [
        ConfigIssue(
            issue.key.replace(inner, prefix), issue.value, issue.rule, issue.fix.replace(inner, prefix)
        )
        for issue in component_issues(f"{prefix}._reward_set_", benchmark.judge_node() or {})
    ]
    scorer, _ = target_or_issue(f"{prefix}._target_", benchmark.judge.get("_target_"))
    if issues or scorer is None:
        return issues
    if getattr(scorer, "correctness_max_param", None) is None:
        return [
            ConfigIssue(f"{prefix}._target_", benchmark.judge["_target_"], "not a correctness reward", fix)
        ]
    params = benchmark.judge.get("params") or {}
    reads = params.get("strategies") or ([params["answer_format"]] if "answer_format" in params else [])
    reads = [reads] if isinstance(reads, str) else list(reads)
    asked = (benchmark.prompt or {}).get("answer_format")
    if asked and reads and asked not in reads:
        return [
            ConfigIssue(
                f"{prefix}.params.strategies",
                reads,
                f"the benchmark's prompt asks for {asked!r} answers but its judge never extracts them",
                f"add {asked} to the judge's strategies, or change the benchmark's prompt",
            )
        ]
    return []
