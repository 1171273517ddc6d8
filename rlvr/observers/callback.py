"""Bridge from the trainer to any observer, and the trainer's own printing switched off.

Kept apart from the observers so that an observer needs no transformers import and no trainer
knowledge — only the members of :class:`rlvr.interfaces.Observer`. The callback sends a ``setup``
record at the start (total steps, completions per step), every ``on_log`` dict with the global step,
and, every ``observer.completions_every()`` logging steps, the latest completions as a table.
"""

from __future__ import annotations

from typing import Any

from rlvr.interfaces import Observer


def observer_callback(observer: Observer) -> Any:
    """A ``transformers.TrainerCallback`` that hands the trainer's logs to ``observer``."""
    from transformers import TrainerCallback

    class ObserverCallback(TrainerCallback):
        trainer: Any = None  # set by quiet_trainer(); gives access to the latest completions
        logged = 0

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            per_step = args.per_device_train_batch_size * args.gradient_accumulation_steps * args.world_size
            setup = {"max_steps": state.max_steps, "completions_per_step": per_step}
            observer.log_metrics(setup, state.global_step, kind="setup")

        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any
        ) -> None:
            if not logs:
                return
            observer.log_metrics(logs, state.global_step)
            self.logged += 1
            every = observer.completions_every()
            if every and self.trainer is not None and self.logged % every == 0:
                observer.log_table("completions", latest_completions(self.trainer), state.global_step)

    return ObserverCallback()


def quiet_trainer(trainer: Any) -> None:
    """Remove transformers' own console output (its tqdm bar and the raw log dict it prints every step;
    the observer prints both, readably) and hand the trainer to the observer callback."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    for callback in list(trainer.callback_handler.callbacks):
        if isinstance(callback, (PrinterCallback, ProgressCallback)) or type(callback).__name__ == (
            "NotebookProgressCallback"
        ):
            trainer.remove_callback(callback)
        elif type(callback).__name__ == "ObserverCallback":
            callback.trainer = trainer


def latest_completions(trainer: Any) -> list[dict[str, Any]]:
    """The last generation batch as rows: prompt, completion, each reward, advantage (TRL's ``_logs``)."""
    logs = getattr(trainer, "_logs", None) or {}
    prompts, completions = list(logs.get("prompt", [])), list(logs.get("completion", []))
    rewards = {name: list(values) for name, values in (logs.get("rewards") or {}).items()}
    advantages = list(logs.get("advantages", []))
    rows = []
    for i, (prompt, completion) in enumerate(zip(prompts, completions, strict=False)):
        row = {"prompt": _text(prompt), "completion": _text(completion)}
        row |= {name: values[i] for name, values in rewards.items() if i < len(values)}
        if i < len(advantages):
            row["advantage"] = advantages[i]
        rows.append(row)
    return rows


def _text(value: Any) -> str:
    """Chat messages as ``role: content`` lines; plain text as it is."""
    if isinstance(value, list):
        return "\n".join(f"{m.get('role')}: {m.get('content')}" for m in value if isinstance(m, dict))
    return str(value)
