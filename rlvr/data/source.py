"""Where a task's rows come from, and how raw rows become examples.

Shared by every task loader (composition, not inheritance): a task takes the source keys as
``**source: Unpack[RowSource]`` — validation then checks each of them from :class:`RowSource`'s
fields, unknown keys included, as if they were named parameters — builds the value with
:meth:`RowSource.from_keys` and calls :meth:`RowSource.load`; :func:`build_splits` maps each raw row
with the task's own function, applies the row policy and records what it did.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, Self

from rlvr.config.errors import ConfigIssue
from rlvr.config.types import AtLeast
from rlvr.console import say, warn
from rlvr.data.base import (
    SUPPORTED_SUFFIXES,
    BadRow,
    DataSplits,
    UnparseableAnswer,
    carve_holdout,
    read_hub_split,
    read_records,
    take,
    to_dataset,
)
from rlvr.data.difficulty import ProfileRule
from rlvr.data.policy import RowPolicy, length_stats, truncate_prompt
from rlvr.errors import DataError
from rlvr.paths import is_package_path, missing_path_problem, resolve_path
from rlvr.prompts import prompt_token_length

Row = dict[str, Any]


@dataclass(frozen=True)
class RowSource(RowPolicy):
    """Selection of train/eval rows, and the row policy keys (one flat node). With ``path`` set the hub
    is never contacted."""

    #: Hub dataset id (data files, not a loading script); used when ``path`` is null.
    hub_id: str | None = None
    #: Hub config name.
    hub_config: str | None = None
    #: Hub revision (branch, tag or commit).
    revision: str | None = None
    #: Local train file (JSON, JSONL, CSV, parquet, or ``pkg://package/file``); overrides the hub.
    path: str | None = None
    #: Local eval file.
    eval_path: str | None = None
    #: Hub split for training.
    train_split: str = "train"
    #: Hub split for evaluation (None = none).
    eval_split: str | None = "test"
    #: Rows carved (seeded) from train for evaluation when there is no eval file or split.
    eval_holdout: Annotated[int, AtLeast(0, note="0 = no held-out rows")] = 0
    #: Cap on training rows (a seeded subset); None = all.
    max_train_samples: Annotated[int, AtLeast(1, note="or null for every row")] | None = None
    #: Cap on evaluation rows; None = all.
    max_eval_samples: Annotated[int, AtLeast(1, note="or null for every row")] | None = None
    #: Seed for subsetting and carving.
    seed: int = 42

    @classmethod
    def from_keys(cls, keys: dict[str, Any], **task_defaults: Any) -> Self:
        """A source from a data node's source and policy keys; ``task_defaults`` fill what the node
        leaves out (e.g. GSM8K's hub id)."""
        return cls.of({**task_defaults, **keys})

    @property
    def policy(self) -> RowPolicy:
        """The row policy part of these keys."""
        return RowPolicy(**{f.name: getattr(self, f.name) for f in fields(RowPolicy)})

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """The policy's rules; local files exist and have a readable type; some source is set."""
        issues = super().rules(prefix)
        for key, value in (("path", self.path), ("eval_path", self.eval_path)):
            if value is None:
                continue
            if problem := missing_path_problem(value):
                fix = "install the package named above" if is_package_path(value) else "fix the path"
                issues.append(ConfigIssue(f"{prefix}.{key}", value, problem, fix))
            elif not is_package_path(value) and Path(value).suffix.lower() not in SUPPORTED_SUFFIXES:
                fix = f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
                issues.append(ConfigIssue(f"{prefix}.{key}", value, "unsupported file type", fix))
        if not self.path and not self.hub_id:
            fix = f"set {prefix}.path=<file> or {prefix}.hub_id=<hub dataset>"
            issues.append(
                ConfigIssue(f"{prefix}.path", None, "no data source: path and hub_id are both empty", fix)
            )
        return issues

    def load(self) -> tuple[list[Row], list[Row], dict[str, Any]]:
        """(train rows, eval rows, info); eval rows come from eval_path, the hub eval split, or a held-out
        slice of train (``eval_holdout`` rows) — in that order of preference."""
        skipped = 0
        if self.path:
            train, skipped = read_records(self.path, self.on_bad_row)
            evaluation: list[Row] = []
            if self.eval_path:
                evaluation, more = read_records(self.eval_path, self.on_bad_row)
                skipped += more
            info: dict[str, Any] = {
                "source": self.path,
                "sha256": _file_digest(self.path),
                "eval_source": self.eval_path,
                "eval_sha256": _file_digest(self.eval_path) if self.eval_path else None,
            }
        elif self.hub_id:
            train = read_hub_split(self.hub_id, self.hub_config, self.train_split, self.revision)
            evaluation = (
                read_hub_split(self.hub_id, self.hub_config, self.eval_split, self.revision)
                if self.eval_split
                else []
            )
            info = {
                "source": self.hub_id,
                "config": self.hub_config,
                "revision": self.revision,
                "train_split": self.train_split,
                "eval_split": self.eval_split,
            }
        else:
            raise DataError("no data source: set data.path (local file) or data.hub_id")
        if not evaluation and self.eval_holdout:
            train, evaluation, info["eval_source"] = self._carve(train)
        info["skipped_bad_rows"] = skipped
        return (
            take(train, self.max_train_samples, self.seed),
            take(evaluation, self.max_eval_samples, self.seed),
            info,
        )

    def _carve(self, rows: list[Row]) -> tuple[list[Row], list[Row], str]:
        """Hold out ``eval_holdout`` rows, or half the file when it is smaller (training keeps the other
        half). The description states the rows really held out, and a capped request is warned about:
        ``eval_holdout: 100`` on a 12-row file holds out 6, not 100."""
        train, held = carve_holdout(rows, self.eval_holdout, self.seed)
        described = f"{len(held)} rows held out of train (seed {self.seed})"
        if len(held) < self.eval_holdout:
            described += f"; eval_holdout={self.eval_holdout} capped at half of {len(rows)} rows"
            warn(
                f"data.eval_holdout={self.eval_holdout} but train has only {len(rows)} rows: held out "
                f"{len(held)} (half) for evaluation instead. Set data.eval_holdout to at most "
                f"{len(rows) // 2}, or give an eval file with data.eval_path"
            )
        return train, held, described


def source_config_issues(prefix: str, kwargs: dict[str, Any], task: type) -> list[ConfigIssue]:
    """The checks of ``**source: Unpack[RowSource]``, for a task whose constructor takes ``**source: Any``
    and declares this as its ``config_issues`` (the recipe before typed sources)."""
    own = [n for n, p in inspect.signature(task).parameters.items() if p.kind is not p.VAR_KEYWORD]
    rest = {key: value for key, value in kwargs.items() if key not in own}
    return RowSource.node_issues(prefix, rest, beside=own, what=task.__name__)


def _file_digest(path_value: str) -> str:
    return hashlib.sha256(resolve_path(path_value).read_bytes()).hexdigest()[:16]


def build_splits(
    train: list[Row],
    evaluation: list[Row],
    to_example: Callable[[Row], Row],
    info: dict[str, Any],
    policy: RowPolicy | None = None,
    tokenizer: Any = None,
) -> DataSplits:
    """Map raw rows to examples and apply ``policy``; each split's counts go into ``info["splits"]``."""
    policy = policy or RowPolicy()
    counts, splits = {}, {}
    for name, rows in (("train", train), ("eval", evaluation)):
        profile = None
        if name == "train" and policy.difficulty_file:
            profile = ProfileRule(str(policy.difficulty_file), policy.pass_rate)
        examples, report = _map_split(name, rows, to_example, policy, tokenizer, profile)
        counts[name] = report
        splits[name] = to_dataset(examples) if examples else None
    if splits["train"] is None:
        raise DataError(f"no usable training rows in {info.get('source')!r}: {counts['train']}")
    info = {**info, "splits": counts}
    if (curriculum := policy.curriculum_settings()) is not None:
        info["curriculum"] = curriculum
    info["fingerprint"] = hashlib.sha256(repr(sorted(info.items())).encode()).hexdigest()[:16]
    return DataSplits(train=splits["train"], eval=splits["eval"], info=info)


def _map_split(
    name: str,
    rows: list[Row],
    to_example: Callable[[Row], Row],
    policy: RowPolicy,
    tokenizer: Any,
    profile: ProfileRule | None = None,
) -> tuple[list[Row], dict[str, Any]]:
    examples, unparseable, lengths, too_long, truncated, bad = [], 0, [], 0, 0, 0
    for index, row in enumerate(rows):
        try:
            example = to_example(row)
        except KeyError as err:  # a missing column: name the split and row, keep the fix
            raise DataError(f"{name} row {index}: {err.args[0]}") from err
        except BadRow as err:  # a null or empty question: never trained as the text "None"
            if policy.on_bad_row == "skip":
                bad += 1
                continue
            raise DataError(
                f"{name} row {index}: {err}. Fix: correct the row, or set data.on_bad_row=skip to skip "
                "and count such rows"
            ) from err
        except UnparseableAnswer as err:
            if policy.on_unparseable == "error":
                raise DataError(
                    f"{name} row {index}: gold answer {err} cannot be parsed; fix the data or "
                    "set data.on_unparseable=drop to drop and count such rows"
                ) from err
            unparseable += 1
            continue
        if profile is not None and not profile.keep(example):  # the pass-rate band (data.pass_rate)
            continue
        if tokenizer is not None:
            length = prompt_token_length(example["prompt"], tokenizer)
            if policy.max_prompt_tokens and length > policy.max_prompt_tokens:
                too_long += 1
                if policy.on_long_prompt == "drop":
                    continue
                if policy.on_long_prompt == "truncate":
                    cut = truncate_prompt(example["prompt"], tokenizer, policy.max_prompt_tokens)
                    if cut is None:
                        continue
                    example["prompt"], truncated = cut, truncated + 1
                    length = prompt_token_length(cut, tokenizer)
            lengths.append(length)
        examples.append(example)
    report: dict[str, Any] = {"rows": len(examples), "dropped_unparseable": unparseable}
    if profile is not None:
        report |= profile.report()
        if profile.band is not None:
            say(profile.summary())
    if bad:
        report["dropped_bad_rows"] = bad
    if tokenizer is not None:
        report |= {
            "prompt_tokens": length_stats(lengths),
            "over_max_prompt_tokens": too_long,
            "truncated": truncated,
            "dropped_too_long": too_long - truncated if policy.on_long_prompt != "keep" else 0,
        }
    return examples, report
