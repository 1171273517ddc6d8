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

:class:`Suite` and :class:`Benchmark` are typed settings (:mod:`rlvr.config.settings`): their fields are
the keys, checked before anything loads, and :meth:`Benchmark.rules` checks the nodes an entry builds — the
data, the reward set and the prompt are built by the existing components, and the evaluator is the
configured one with a few keys changed — as their components would. :mod:`rlvr.evaluation.suite_report` writes the tables and the summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Self

from rlvr.config.build import locate_target
from rlvr.config.errors import ConfigIssue
from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast
from rlvr.evaluation.options import k_issue

GENERIC_DATA = "rlvr.data.generic.GenericQAData"
REWARD_SET = "rlvr.rewards.RewardSet"
REWARD_ENTRY = "rlvr.rewards.reward_set.RewardEntry"
#: A count of rows or tokens; null: the suite's (or the evaluator's) own.
Count = Annotated[int, AtLeast(1)] | None


@dataclass(frozen=True)
class Benchmark(Settings):
    """One benchmark of a suite (the keys of ``eval.suite.benchmarks.<name>``)."""

    #: The entry's key under ``benchmarks`` (filled in by :class:`Suite`; an entry does not set it).
    name: str = ""
    #: Shown in tables and charts; null: the name.
    title: str | None = None
    #: Hub dataset id, owner/name (used unless ``path`` is set).
    hub_id: str | None = None
    #: Hub config.
    hub_config: str | None = None
    #: Hub revision.
    revision: str | None = None
    #: Hub split.
    split: str = "test"
    #: Local file replacing the hub source.
    path: str | None = None
    #: Row field holding the question.
    question_field: str = "question"
    #: Row field holding the gold answer.
    answer_field: str = "answer"
    #: How the gold is read from ``answer_field`` (the generic data component's parsers).
    answer_parser: str = "raw"
    #: A prompts node; null: the run's prompt.
    prompt: dict[str, Any] | None = None
    #: ``reward`` (the run's reward set) or one correctness reward entry ``{_target_, params}``.
    judge: str | dict[str, Any] = "reward"
    #: Sampled completions per problem; 0 is greedy.
    samples: Annotated[int, AtLeast(0, note="0 is greedy")] = 0
    #: The k of pass@k; null: the number of samples.
    k: list[int] | None = None
    #: Sampling temperature; null: the suite's.
    temperature: float | None = None
    #: Rows (the first N); null: the suite's.
    max_samples: Count = None
    #: New tokens per answer; null: the suite's.
    max_new_tokens: Count = None
    #: Also lm-evaluation-harness's gsm8k scores (strict-match, flexible-extract).
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

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """The k of pass@k against ``samples``, the hub id's shape, and the data, prompt and judge nodes the
        entry builds, checked like top-level nodes (files exist, parsers and judges are known). Nothing is
        downloaded."""
        from rlvr.config.validate import component_issues  # the validator calls this module: import late

        issues = []
        if issue := k_issue(f"{prefix}.k", self.k or [], self.samples, f"{prefix}.samples"):
            issues.append(issue)
        if not self.path and self.hub_id is not None and self.hub_id.count("/") != 1:
            issues.append(
                ConfigIssue(f"{prefix}.hub_id", self.hub_id, "not a hub dataset id", "use owner/name")
            )
        issues += component_issues(prefix, self.data_node())
        if self.prompt is not None:
            issues += component_issues(f"{prefix}.prompt", self.prompt)
        return issues + _judge_issues(f"{prefix}.judge", self)


@dataclass(frozen=True)
class Suite(Settings):
    """The ``eval.suite`` node: its benchmarks in report order and the settings they share. The node writes
    ``benchmarks`` as a mapping of named entries; the value holds them in that order, named."""

    #: The suite's name (summary headings, mode=compare).
    name: str = "suite"
    #: The benchmarks, in report order.
    benchmarks: tuple[Benchmark, ...] = ()
    #: Rows per benchmark (its first N); null: all.
    max_samples: Count = None
    #: New tokens per answer; null: ``eval.max_new_tokens``.
    max_new_tokens: Count = None
    #: Temperature of sampled benchmarks; null: ``eval.temperature``.
    temperature: float | None = None

    @classmethod
    def of(cls, node: Settings | Mapping[str, Any] | None) -> Self:
        """The suite a node describes, each entry of its ``benchmarks`` mapping named by its key."""
        if isinstance(node, Mapping) and isinstance(node.get("benchmarks"), Mapping):
            named = tuple(Benchmark.of({**entry, "name": name}) for name, entry in node["benchmarks"].items())
            node = {**node, "benchmarks": named}
        return super().of(node)

    from_node = of

    @classmethod
    def node_issues(cls, prefix: str, node: Any, *args: Any, **kwargs: Any) -> list[ConfigIssue]:
        """The shared keys as any settings node, then each benchmark entry as a :class:`Benchmark`."""
        if node is None:
            return []
        benchmarks = node.get("benchmarks") if isinstance(node, Mapping) else None
        if not isinstance(benchmarks, Mapping) or not benchmarks:
            return [
                ConfigIssue(
                    prefix, node, "a suite needs a non-empty `benchmarks` mapping", "use eval.suite=math_std"
                )
            ]
        shared = {key: value for key, value in node.items() if key != "benchmarks"}
        issues = super().node_issues(prefix, shared, *args, **kwargs)
        for name, entry in benchmarks.items():
            where = f"{prefix}.benchmarks.{name}"
            if isinstance(entry, Mapping) and "name" in entry:
                issues.append(
                    ConfigIssue(
                        f"{where}.name", entry["name"], "a benchmark is named by its key", "remove it"
                    )
                )
            else:
                issues += Benchmark.node_issues(where, entry)
        return issues


def _judge_issues(prefix: str, benchmark: Benchmark) -> list[ConfigIssue]:
    """The judge is ``reward`` or one correctness reward entry that reads the benchmark prompt's format."""
    if benchmark.judge == "reward":
        return []
    fix = "reward (the run's reward set) or one reward entry, e.g. {_target_: rlvr.rewards.correctness.symbolic_correctness, params: {strategies: [boxed]}}"
    if not isinstance(benchmark.judge, dict):
        return [ConfigIssue(prefix, benchmark.judge, "unknown judge", fix)]
    # The entry type by name, as the reward set itself is built: components meet only through the config.
    if issues := locate_target(REWARD_ENTRY).node_issues(prefix, benchmark.judge):
        return issues
    if getattr(locate_target(benchmark.judge["_target_"]), "correctness_max_param", None) is None:
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
