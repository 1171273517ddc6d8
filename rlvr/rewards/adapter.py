"""Adapt a per-completion scorer to TRL's batched reward signature, and make it safe to train with.

TRL calls each reward function as ``fn(prompts=..., completions=..., completion_ids=..., **columns)``
(plus ``trainer_state``, ``log_extra`` and ``log_metric``) and logs it as ``rewards/<fn.__name__>/mean``.
A scorer is simpler: ``fn(completion: str, <columns it names>, **params) -> float | None``. Its parameters
split in three: those without a default that ``params`` does not set are dataset columns (``answer``);
``prompt`` and ``completion_ids`` are runtime inputs filled per sample when the scorer names them
(``completion_ids`` is None when the caller has no token ids, e.g. ``mode=score``); the rest are params.
A function whose first two parameters are ``prompts, completions`` is already batched (TRL style) and is
called once per batch instead.

Safety (:class:`SafeReward`): a scorer that raises, or runs past ``timeout`` seconds, gives that sample
the ``on_error`` fallback (``zero`` → 0.0, ``none`` → None, ``raise`` → stop the run). Failures are
counted (:attr:`SafeReward.errors`, cumulative) and reported through the ``log_metric`` callback TRL
passes to reward functions as ``rewards/<name>/errors`` (failures per reward call, which TRL averages over
each logging window, so it reaches the observer's ``on_log`` with the other metrics); the first traceback
of each function goes to the ``rlvr.rewards`` logger once. A return value
that is not a real number (or None), or is NaN/inf, or a batch of the wrong length, is a bug in the
reward and raises :class:`RewardReturnError` naming the function, whatever ``on_error`` says.

None is passed through: TRL (1.15 and 1.16) turns it into NaN, leaves it out of that function's mean,
and gives a completion for which *every* function returned None an advantage of exactly 0 — so an
all-None batch trains on nothing instead of producing NaN advantages.

Tasks (several in one run, :mod:`rlvr.data.mixture`): rows name their task in a ``task`` column. A reward
given ``tasks`` scores only those rows and leaves the others None (so its ``rewards/<name>/mean`` is that
task's mean); every reward logs its mean per task as ``tasks/<task>/<name>/mean``.
"""

from __future__ import annotations

import inspect
import logging
import math
import numbers
import queue
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

from rlvr.errors import TrainingError

logger = logging.getLogger("rlvr.rewards")

#: What a failing scorer gives the sample: 0.0, no score (None), or the error itself (the run stops).
OnError = Literal["zero", "none", "raise"]
ON_ERROR = get_args(OnError)
#: Inputs a scorer may name that come from the trainer, not from the dataset or params.
RUNTIME_INPUTS = ("prompt", "completion_ids")
#: Keyword arguments TRL passes that are not dataset columns (left out of "the batch has ..." messages).
TRL_EXTRAS = ("completion_ids", "trainer_state", "log_extra", "log_metric", "environments")
_FALLBACK = {"zero": 0.0, "none": None}
# One lock for all counters: cheap (a few increments per batch) and keeps SafeReward picklable.
_COUNT_LOCK = threading.Lock()


class RewardReturnError(TrainingError, TypeError):
    """A reward function returned something that is not one finite number (or None) per completion
    (a TrainingError: the run stops with one ``rlvr:`` line naming the function, exit 6)."""


class RewardTimeout(TimeoutError):
    """A scorer ran past its ``timeout``."""


def completion_text(completion: Any) -> str:
    """The text of a completion: a plain string, or the assistant turns of a chat-message list."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        messages = [m for m in completion if isinstance(m, dict)]
        if any(m.get("role") == "assistant" for m in messages):
            messages = [m for m in messages if m.get("role") == "assistant"]
        # Newlines, not "", so "12" and "3" in two turns never read as 123.
        return "\n".join(_content_text(m.get("content", "")) for m in messages)
    return "" if completion is None else str(completion)


def _content_text(content: Any) -> str:
    if isinstance(content, list):  # multimodal content parts: [{"type": "text", "text": ...}, ...]
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def is_batched(scorer: Callable[..., Any]) -> bool:
    """Whether ``scorer`` already speaks TRL's batched signature (``prompts, completions, ...``)."""
    names = list(_parameters(scorer))[:2]
    return names == ["prompts", "completions"]


def scorer_columns(scorer: Callable[..., Any], params: dict[str, Any]) -> list[str]:
    """Dataset columns a scorer reads: parameters after the first, without default, not in params."""
    if is_batched(scorer):
        return []
    values = list(_parameters(scorer).values())[1:]
    return [
        p.name
        for p in values
        if p.default is inspect.Parameter.empty
        and p.name not in params
        and p.name not in RUNTIME_INPUTS
        and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]


def _parameters(scorer: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(scorer).parameters)


def check_value(value: Any, name: str, index: int) -> float | None:
    """``value`` as a float (None stays None); a clear error naming the function for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RewardReturnError(
            f"reward {name!r} returned {value!r} ({type(value).__name__}) for sample "
            f"{index}; a reward must return a float or None (e.g. `return 1.0 if ok else 0.0`)"
        )
    if not math.isfinite(value):
        raise RewardReturnError(
            f"reward {name!r} returned {value} for sample {index}; rewards must be finite "
            "(return None to leave a sample unscored)"
        )
    return float(value)


def call_with_timeout(fn: Callable[[], Any], timeout: float | None, name: str) -> Any:
    """``fn()``, or RewardTimeout after ``timeout`` seconds (None: no limit, called inline).

    A daemon thread, not a signal: signals work only on the main thread and TRL may score elsewhere.
    One long-lived worker per reward and calling thread runs the calls (a thread per call cost ~0.5 ms,
    a default timeout on every sample would have paid it hundreds of times a step). A timed-out call
    cannot be killed: its worker is abandoned (it finishes in the background, its result is dropped)
    and the next call gets a new one."""
    if timeout is None:
        return fn()
    key = (name, threading.get_ident())
    with _COUNT_LOCK:
        worker = _WORKERS.get(key) or _WORKERS.setdefault(key, _Worker(f"reward-{name}"))
    box: dict[str, Any] = {}
    done = threading.Event()
    worker.inbox.put((fn, box, done))
    if not done.wait(timeout):
        with _COUNT_LOCK:
            if _WORKERS.get(key) is worker:
                del _WORKERS[key]
        raise RewardTimeout(f"reward {name!r} took longer than its timeout of {timeout}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


class _Worker:
    """A daemon thread that runs the calls put in its inbox, one at a time."""

    def __init__(self, name: str) -> None:
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name=name, daemon=True).start()

    def _loop(self) -> None:
        while True:
            fn, box, done = self.inbox.get()
            try:
                box["value"] = fn()
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
                box["error"] = err
            done.set()


#: (reward name, calling thread) → its worker (module level: SafeReward stays picklable).
_WORKERS: dict[tuple[str, int], _Worker] = {}


def param_rules(rules: Callable[[dict[str, Any]], list[str]]) -> Callable[[Any], Any]:
    """Attach ``rules(params) -> [problem, ...]`` to a scorer; config validation reports each problem
    under the entry's ``params`` before anything is built (the per-call check still raises)."""

    def attach(scorer: Any) -> Any:
        scorer.param_issues = rules
        return scorer

    return attach


def task_means(tasks: Sequence[Any], rewards: Sequence[float | None]) -> dict[str, float]:
    """The mean reward of each task's rows (unscored rows left out; tasks with none scored left out)."""
    sums: dict[str, list[float]] = {}
    for task, value in zip(tasks, rewards, strict=True):
        if task is not None and value is not None:
            sums.setdefault(str(task), []).append(value)
    return {task: sum(values) / len(values) for task, values in sums.items()}


class RewardFailure(TrainingError, RuntimeError):
    """A scorer raised (or timed out) and its entry says ``on_error: raise``, or it called ``sys.exit``."""


def exit_failure(name: str, err: SystemExit, where: str) -> RewardFailure:
    """``sys.exit`` inside a scorer would end the whole job with the scorer's status and no word."""
    return RewardFailure(
        f"reward {name!r} called sys.exit({err.code!r}) on {where}; a reward returns a float or None. "
        "Fix: raise an exception there instead (the entry's on_error then decides), or return None"
    )


class SafeReward:
    """A scorer in TRL's reward signature, with fallback on errors, a timeout, counting and return checks."""

    def __init__(
        self,
        scorer: Callable[..., Any],
        params: dict[str, Any],
        name: str,
        on_error: OnError = "zero",
        timeout: float | None = None,
        tasks: Sequence[str] | None = None,
    ):
        if on_error not in ON_ERROR:
            raise ValueError(f"reward {name!r}: on_error={on_error!r} is not one of {', '.join(ON_ERROR)}")
        if timeout is not None and (isinstance(timeout, bool) or not timeout > 0):
            raise ValueError(
                f"reward {name!r}: timeout={timeout!r} must be a positive number of seconds or null"
            )
        self.scorer, self.params, self.name = scorer, dict(params), name
        self.__name__ = self.__qualname__ = name  # TRL logs rewards/<__name__>/mean
        self.on_error, self.timeout = on_error, timeout
        self.tasks = list(tasks) if tasks else None  # None: every row; else rows whose `task` is listed
        self.batched = is_batched(scorer)
        self.columns = scorer_columns(scorer, self.params)
        accepted = _parameters(scorer)
        self.runtime = [
            n for n in RUNTIME_INPUTS if n in accepted and n not in self.params and not self.batched
        ]
        #: samples that got the fallback so far (exceptions and timeouts), over the life of this function
        self.errors = 0
        self._traceback_logged = False

    def __call__(
        self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any
    ) -> list[float | None]:
        if self.tasks is not None:
            rewards = self._routed(prompts, completions, kwargs)
        else:
            rewards = self._score(prompts, completions, kwargs)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and kwargs.get("task") is not None:
            for task, value in task_means(list(kwargs["task"]), rewards).items():
                log_metric(f"tasks/{task}/{self.name}/mean", value)
        return rewards

    def _routed(
        self, prompts: Sequence[Any] | None, completions: Sequence[Any], kwargs: dict[str, Any]
    ) -> list[float | None]:
        """Score the rows of this reward's tasks; the other rows get None (not this reward's business)."""
        if kwargs.get("task") is None:
            raise KeyError(
                f"reward {self.name!r} scores tasks {self.tasks} only, but the batch has no `task` column; "
                "use data_component=mixture (rows keep their task) or remove the entry's `tasks`"
            )
        chosen = [i for i, task in enumerate(kwargs["task"]) if task in self.tasks]
        rewards: list[float | None] = [None] * len(completions)
        if not chosen:
            return rewards
        n = len(completions)

        def pick(values: Any) -> Any:
            """The chosen rows of a per-row column (a list, or a dataset's column); anything else as is."""
            per_row = not isinstance(values, (str, bytes, dict)) and hasattr(values, "__getitem__")
            return (
                [values[i] for i in chosen]
                if per_row and hasattr(values, "__len__") and len(values) == n
                else values
            )

        subset = {key: pick(value) for key, value in kwargs.items()}
        scored = self._score(
            pick(list(prompts)) if prompts is not None else None, pick(list(completions)), subset
        )
        for i, value in zip(chosen, scored, strict=True):
            rewards[i] = value
        return rewards

    def _score(
        self, prompts: Sequence[Any] | None, completions: Sequence[Any], kwargs: dict[str, Any]
    ) -> list[float | None]:
        missing = [c for c in self.columns if c not in kwargs]
        if missing:  # (a routed reward with none of its rows in the batch is never asked)
            available = sorted(k for k in kwargs if k not in TRL_EXTRAS)
            raise KeyError(
                f"reward {self.name!r} needs dataset column(s) {missing}; the batch has {available}"
            )
        if self.batched:
            rewards, failed = self._score_batch(prompts, completions, kwargs)
        else:
            scored = [self._score_one(i, prompts, completions, kwargs) for i in range(len(completions))]
            rewards, failed = [r for r, _ in scored], sum(f for _, f in scored)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            log_metric(f"rewards/{self.name}/errors", float(failed))
        return rewards

    def _score_one(
        self, index: int, prompts: Sequence[Any] | None, completions: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[float | None, int]:
        inputs = {c: kwargs[c][index] for c in self.columns}
        if "prompt" in self.runtime:
            inputs["prompt"] = prompts[index] if prompts is not None else None
        if "completion_ids" in self.runtime:
            ids = kwargs.get("completion_ids")
            inputs["completion_ids"] = ids[index] if ids is not None else None
        text = completion_text(completions[index])
        try:
            value = call_with_timeout(
                lambda: self.scorer(text, **inputs, **self.params), self.timeout, self.name
            )
        except SystemExit as err:
            raise exit_failure(self.name, err, f"sample {index}") from err
        except Exception as err:  # any scorer failure is this sample's fallback, not the run's end
            return self._failed(err, f"sample {index}", 1), 1
        return check_value(value, self.name, index), 0

    def _score_batch(
        self, prompts: Sequence[Any] | None, completions: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[list[float | None], int]:
        try:
            values = call_with_timeout(
                lambda: self.scorer(prompts, completions, **kwargs, **self.params), self.timeout, self.name
            )
        except SystemExit as err:
            raise exit_failure(self.name, err, f"a batch of {len(completions)}") from err
        except Exception as err:  # the whole batch gets the fallback
            fallback = self._failed(err, f"a batch of {len(completions)}", len(completions))
            return [fallback] * len(completions), len(completions)
        if not isinstance(values, (list, tuple)) or len(values) != len(completions):
            size = len(values) if isinstance(values, (list, tuple)) else type(values).__name__
            raise RewardReturnError(
                f"reward {self.name!r} returned {size} rewards for {len(completions)} "
                "completions; return a list with one float (or None) per completion"
            )
        return [check_value(v, self.name, i) for i, v in enumerate(values)], 0

    def _failed(self, err: Exception, where: str, samples: int) -> float | None:
        if self.on_error == "raise":
            raise RewardFailure(
                f"reward {self.name!r} failed on {where}: {type(err).__name__}: {err} "
                "(set on_error: zero or none on this entry to score such samples instead)"
            ) from err
        with _COUNT_LOCK:
            self.errors += samples
            first, self._traceback_logged = not self._traceback_logged, True
        if first:  # a timeout's traceback would only show the waiting: its message says it all
            detail = (
                f"{err} (raise the entry's timeout, or reward.timeout, if it is slow but right)"
                if isinstance(err, RewardTimeout)
                else "First traceback:\n"
                + "".join(traceback.format_exception(type(err), err, err.__traceback__))
            )
            logger.warning(
                "reward %r failed on %s and scores %r there (on_error=%s); further failures are only "
                "counted (rewards/%s/errors). %s",
                self.name,
                where,
                _FALLBACK[self.on_error],
                self.on_error,
                self.name,
                detail,
            )
        return _FALLBACK[self.on_error]
