"""The one owner of a run directory: every file a run writes goes through :class:`RunDir`.

    run_dir = RunDir(Path("outputs/2026-11-29/10-00-00"))
    run_dir.write_config(cfg)                      # resolved_config.yaml
    run_dir.write_jsonl("eval_samples_after.jsonl", rows)
    run_dir.append_jsonl("metrics.jsonl", {"kind": "train", "step": 1, ...})
    run_dir.write_json("eval_report.json", report)

Files are named here (:data:`FILES`), so the README table, the modes and the observers agree on them,
whole-file writes are atomic (a temporary file renamed into place): an interrupted write never leaves a
half-written report, and every write masks known secrets (:mod:`rlvr.redaction`). Model weights and checkpoints are written by TRL/transformers into
:meth:`RunDir.file` paths.

Rank rule: in a multi-process launch (``accelerate launch``, ``torchrun``) every rank builds a
``RunDir`` on the same dir, but only global rank 0 is its *writer*; on the other ranks the writers do
nothing. So the modes, observers and evaluators write as if alone and never check ranks; weights are
saved through the Trainer, which handles ranks itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.launch import is_main_process
from rlvr.redaction import redact, redact_override, redact_text, remember_secrets
from rlvr.run_lock import LOCK_FILE, busy_message, holder

#: Every file or folder a run may write, and what it holds (README's output table lists the same).
FILES = {
    "resolved_config.yaml": "the config with every interpolation resolved",
    "metrics.jsonl": "one line per logging step and per evaluation",
    "eval_report.json": "accuracy before and after training, data facts, training summary",
    "eval_samples_<tag>.jsonl": "every eval completion, its extracted answer and verdict (tag: before, after, "
    "step<N> during training, eval for mode=eval)",
    "check_report.json": "mode=check: gold-answer rewards per split and the problems found",
    "scores.jsonl": "mode=score: each input record with its rewards (unless output= is set)",
    "difficulty.jsonl": "mode=profile: per training row its id, pass rate, correct samples, mean length, truncated share",
    "difficulty.md": "mode=profile: the summary (never / always solved) and the pass-rate histogram",
    "final_model": "the trained model, or the LoRA adapter when LoRA is on, with the tokenizer",
    "best_model": "with eval.best_model=best: the policy at the best in-training eval step, with the tokenizer",
    "compare_report.json": "mode=compare: accuracy of both tables, exact McNemar p-value, flipped rows "
    "(two suite results: per benchmark Δ, paired CI, exact p, the line to paste)",
    "compare_summary.md": "mode=compare on two suite results: the per-benchmark table and the lines to paste",
    "suite": "mode=eval eval.suite=<name>: per benchmark its rows (<name>.jsonl) and its figures with CIs (<name>.md)",
    "suite_summary.json": "mode=eval eval.suite=<name>: per benchmark its headline with CI, n, the other figures",
    "suite_summary.md": "the same as one table to paste",
    "suite_summary.png": "the benchmarks' headlines as bars with their 95 % CIs",
    "suite_before": "mode=train with eval.suite=<name>: the suite on the policy at step 0, a whole suite result "
    "(suite/, suite_summary.*) that mode=compare reads",
    "suite_after": "mode=train with eval.suite=<name>: the suite on the final policy, a whole suite result",
    "suite_compare.json": "mode=train with eval.suite=<name>: suite_after − suite_before per benchmark, as "
    "mode=compare's compare_report.json",
    "suite_compare.md": "the same as mode=compare's compare_summary.md: the table and the lines to paste",
    "merged_model": "with model.save_merged=true: the LoRA adapter merged into a full model, with the tokenizer",
    "checkpoints": "TRL checkpoints (train.save_steps)",
    "status.json": "running from the start, then how the job ended: ok, failed or interrupted (error, exit "
    "status, phase); wall time",
    "manifest.json": "what reproduces the run: command, config, git commit, versions, seeds, data, hardware",
    "summary.json": "the run in numbers: steps, wall time, tokens, peak GPU memory, accuracy before → after, alarms, files",
    "summary.md": "the same summary as a table to read",
    "plots": "PNG charts of the run's metrics (reward, accuracy, length, entropy, KL, learning rate); "
    "mode=profile: difficulty.png",
    "tensorboard": "with observer.sinks.tensorboard.enabled=true: TensorBoard event files",
    "wandb": "with observer.sinks.wandb.enabled=true: the W&B run's local files (offline runs sync from here)",
    "wandb_run_id": "the W&B run id, so a resumed run continues the same W&B run",
}
#: What Hydra puts in a run dir before our code runs; a dir holding only these has no results yet.
_HYDRA_ONLY = {".hydra", "run_pipeline.log"}
#: What a job writes before it has results: with Hydra's files, a dir :func:`discard_unused` may remove.
_NO_RESULTS = _HYDRA_ONLY | {"status.json", LOCK_FILE}


class RunDir:
    """A run's output directory (Hydra's output dir) and the writers for everything in it.

    ``writer`` (default: whether this process is global rank 0) decides whether the writers write.
    ``started`` is the run's one clock: the summary, ``status.json`` and the last console line all
    measure the wall time from it."""

    def __init__(self, path: Path | str, writer: bool | None = None):
        self.path = Path(path)
        self.writer = is_main_process() if writer is None else writer
        self.started = time.perf_counter()

    def seconds(self) -> float:
        """Wall time since the run started (since this ``RunDir`` was made, at the start of the job)."""
        return time.perf_counter() - self.started

    def file(self, name: str) -> Path:
        """The path of ``name`` inside the run dir (the directory is created when missing)."""
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path / name

    def write_config(self, cfg: DictConfig) -> dict[str, Any]:
        """Write ``resolved_config.yaml`` (interpolations resolved, secrets masked) and return it as a
        plain dict, masked too: this dict is what the manifest and W&B receive. Hydra's own copies
        under ``.hydra/`` are masked the same way."""
        resolved = OmegaConf.to_container(cfg, resolve=True)
        remember_secrets(resolved)  # masked by value too, wherever else they turn up
        config = redact(resolved)
        self.write_text("resolved_config.yaml", OmegaConf.to_yaml(OmegaConf.create(config)))
        if self.writer:
            self._redact_hydra_files()
        return config

    def _redact_hydra_files(self) -> None:
        """Mask secrets in the config and overrides Hydra wrote before our code ran."""
        hydra = self.path / ".hydra"
        for name in ("config.yaml", "overrides.yaml", "hydra.yaml"):
            source = hydra / name
            if not source.is_file():
                continue
            loaded = OmegaConf.to_container(OmegaConf.load(source), resolve=False)
            masked = redact(_map_strings(loaded, redact_override))  # override lists hold `key=value`
            if masked != loaded:
                self.write_text(f".hydra/{name}", OmegaConf.to_yaml(OmegaConf.create(masked)))

    def write_text(self, name: str, text: str) -> Path:
        """Write a whole file atomically: a temporary sibling renamed into place (rank 0 only), with
        every known secret masked (:mod:`rlvr.redaction`), whatever the file."""
        if not self.writer:
            return self.path / name
        target = self.file(name)
        temporary = target.with_name(f".{target.name}.tmp")
        try:
            temporary.write_text(redact_text(text), encoding="utf-8")
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)  # a full disk leaves no half-written temporary behind
            raise
        return target

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")

    def write_jsonl(self, name: str, rows: Iterable[dict[str, Any]]) -> Path:
        return self.write_text(name, "".join(jsonl_line(row) for row in rows))

    def append_jsonl(self, name: str, row: dict[str, Any]) -> None:
        """Add one line to a JSONL log (opened per line, so a crash loses at most that line; rank 0 only)."""
        if not self.writer:
            return
        with self.file(name).open("a", encoding="utf-8") as handle:
            handle.write(redact_text(jsonl_line(row)))


def _map_strings(value: Any, function: Any) -> Any:
    if isinstance(value, dict):
        return {k: _map_strings(v, function) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, function) for v in value]
    return function(value) if isinstance(value, str) else value


def jsonl_line(row: dict[str, Any]) -> str:
    """One JSONL line: the project's only JSON-lines encoding (non-ASCII kept readable)."""
    return json.dumps(row, default=str, ensure_ascii=False) + "\n"


def write_jsonl_file(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """A JSONL file outside a run dir (``mode=score output=...``), written like the run's own files."""
    return RunDir(path.parent).write_jsonl(path.name, rows)


def unwritable_run_dir(args: list[str]) -> str | None:
    """Why the ``hydra.run.dir=`` / ``hydra.sweep.dir=`` named on the command line cannot hold a run
    (``/proc/x``, a read-only filesystem, a full disk), or None. Checked before Hydra, which would stop
    with a bare ``FileNotFoundError``/``PermissionError`` (or leave a 0-byte ``.hydra/overrides.yaml``):
    the dir is created and a 4 kB probe file written and removed."""
    chosen = dict(arg.lstrip("+").split("=", 1) for arg in args if "=" in arg and not arg.startswith("-"))
    for key in ("hydra.run.dir", "hydra.sweep.dir"):
        target = chosen.get(key, "").strip("'\"")
        if not target:
            continue
        path = Path(target).expanduser()
        probe = path / ".rlvr-write-probe"
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(bytes(4096))
            probe.unlink()
        except OSError as err:
            with contextlib.suppress(OSError):
                probe.unlink(missing_ok=True)
            where = f" ({err.filename})" if err.filename and str(err.filename) != target else ""
            return (
                f"{key}={target}: cannot write the run there: {err.strerror or err}{where}. Fix: choose a "
                f"writable directory with free space, e.g. {key}=outputs/my-run"
            )
    return None


def occupied_run_dir(args: list[str]) -> str | None:
    """Why the ``hydra.run.dir=`` named on the command line must not be used, or None. A dir a running
    job holds (:mod:`rlvr.run_lock`) is refused; a dir holding another run's results is refused unless
    ``overwrite=true`` or the run resumes (``train.resume_from_checkpoint=...``): a rerun there would
    overwrite that run's config and reports."""
    chosen = dict(arg.lstrip("+").split("=", 1) for arg in args if "=" in arg and not arg.startswith("-"))
    target = chosen.get("hydra.run.dir")
    if target and holder(Path(target).expanduser()) is not None:  # a live job: not even overwrite=true
        return busy_message(Path(target).expanduser())
    if not target or chosen.get("overwrite", "false").lower() == "true":
        return None
    if chosen.get("train.resume_from_checkpoint") not in (None, "null", "None", "false"):
        return None
    path = Path(target).expanduser()
    results = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
    held = [name for name in results if name not in _HYDRA_ONLY and not name.startswith(".")]
    if not held:
        return None
    return (
        f"hydra.run.dir={target} already holds a run ({', '.join(held[:4])}{', …' if len(held) > 4 else ''}). "
        "Fix: choose another dir, resume it with train.resume_from_checkpoint=auto, or add overwrite=true"
    )


def discard_unused(path: Path | str) -> bool:
    """Remove a run dir that Hydra created but no mode wrote to (e.g. the config failed validation;
    the job's own ``status.json`` does not count),
    and its empty parents below the working directory (``outputs/<date>/``). Returns whether anything
    was removed. A dir that holds anything beyond Hydra's own files is left alone. Every rank of a launch
    may call it on the same dir at once: whoever comes second finds little or nothing left to remove."""
    path = Path(path).resolve()
    try:
        if not path.is_dir() or not {p.name for p in path.iterdir()} <= _NO_RESULTS:
            return False
    except OSError:  # another rank removed it meanwhile
        return False
    shutil.rmtree(path, ignore_errors=True)
    cwd = Path.cwd().resolve()
    for parent in path.parents:
        if parent == cwd or cwd not in parent.parents:
            break
        try:
            parent.rmdir()  # only succeeds when empty: outputs/<date>/ after its last run is gone
        except OSError:
            break
    return True
