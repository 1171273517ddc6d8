"""One run, several processes: the rank rules of ``accelerate launch`` / ``torchrun`` runs.

    accelerate launch --config_file accelerate/ddp.yaml --num_processes 2 run_pipeline.py experiment=smoke
    torchrun --nproc_per_node 2 run_pipeline.py experiment=smoke

Every rank runs the same ``run_pipeline.py`` command, composes the same config and trains its share of
the batch (TRL and transformers handle the devices, per-rank seeds and gradient sync). Two rules keep the
run one run:

* **One run dir.** Hydra names the run dir after the time (to the microsecond) at which each process
  composes its config, so the ranks of one launch would each pick their own. Before Hydra starts, local
  rank 0 resolves ``hydra.run.dir`` / ``hydra.sweep.dir`` from ``conf/config.yaml`` at its own clock and
  leaves them in a small file named after the launch (the launcher process, its start time, the
  rendezvous address and id); the other local ranks read it and pass the same ``hydra.run.dir=``.
  An explicit ``hydra.run.dir=`` on the command line is used as it is, and is required across several
  machines (their ranks share no temp dir to agree through).
* **Rank 0 writes.** :class:`rlvr.run_dir.RunDir` writes only on global rank 0; the other ranks get
  Hydra's ``hydra.output_subdir=null`` (no ``.hydra/`` copies) and log to the console only.

Ranks are read from the launchers' environment variables (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``,
``LOCAL_WORLD_SIZE``), never from ``torch.distributed``: this module runs before validation, where torch
is not imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from datetime import datetime
from pathlib import Path

#: How long a rank waits for local rank 0 to name the run dir (it does so before importing anything heavy).
WAIT_SECONDS = 120.0
#: Where the launch files live (one tiny JSON file per multi-process launch; week-old ones are removed).
LAUNCH_DIR = Path(tempfile.gettempdir()) / "rlvr-launch"
_NOW = re.compile(r"\$\{now:([^}]*)\}")


def _env_int(*names: str, default: int) -> int:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value.lstrip("-").isdigit():
            return int(value)
    return default


def rank() -> int:
    """Global rank of this process (0 when not launched by a distributed launcher)."""
    return _env_int("RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK", default=0)


def local_rank() -> int:
    """Rank of this process on its machine."""
    return _env_int("LOCAL_RANK", "MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK", default=0)


def world_size() -> int:
    """Processes in the whole launch."""
    return _env_int("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", default=1)


def local_world_size() -> int:
    """Processes of the launch on this machine."""
    return _env_int("LOCAL_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_SIZE", default=world_size())


def is_main_process() -> bool:
    """Whether this process writes the run's files (global rank 0)."""
    return rank() == 0


def _given(args: list[str], key: str) -> bool:
    return any(arg.lstrip("+").startswith(f"{key}=") for arg in args)


def launch_issue(args: list[str]) -> str | None:
    """Why this multi-process command cannot agree on a run dir by itself, or None."""
    if world_size() <= 1 or local_world_size() >= world_size() or _given(args, "hydra.run.dir"):
        return None
    return (
        f"hydra.run.dir: this launch spans several machines ({world_size()} processes, "
        f"{local_world_size()} here), whose ranks cannot agree on a timestamped run dir. "
        "Fix: give every machine the same shared dir, e.g. hydra.run.dir=/shared/runs/my-run"
    )


def launch_overrides(args: list[str]) -> list[str]:
    """Overrides that make every rank of a multi-process launch use one run dir and let only rank 0
    write Hydra's files; ``[]`` in a single-process run."""
    if world_size() <= 1:
        return []
    extra = [] if is_main_process() else ["hydra.output_subdir=null", "hydra/job_logging=stdout"]
    wanted = [key for key in ("hydra.run.dir", "hydra.sweep.dir") if not _given(args, key)]
    if not wanted:
        return extra
    dirs = _agreed_dirs(wanted)
    return [f"{key}={dirs[key]}" for key in wanted] + extra


def _agreed_dirs(keys: list[str]) -> dict[str, str]:
    """Local rank 0 resolves the dir patterns and writes them to the launch file; the others read it."""
    path = LAUNCH_DIR / f"{launch_key()}.json"
    if local_rank() == 0:
        dirs = {key: resolve_now(default_pattern(key), datetime.now()) for key in keys}
        LAUNCH_DIR.mkdir(parents=True, exist_ok=True)
        _remove_old_launch_files()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(dirs), encoding="utf-8")
        os.replace(temporary, path)
        return dirs
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            time.sleep(0.05)
    raise TimeoutError(
        f"rank {rank()}: local rank 0 did not name the run dir within {WAIT_SECONDS:.0f} s ({path}). "
        "Fix: pass the same hydra.run.dir=<dir> to every rank"
    )


def launch_key() -> str:
    """Names one launch on this machine: its ranks share the launcher process (their parent), the
    rendezvous address and id; the parent's start time keeps a reused process id apart."""
    parent = os.getppid()
    parts = [
        str(parent),
        _process_start(parent),
        os.environ.get("MASTER_ADDR", ""),
        os.environ.get("MASTER_PORT", ""),
        os.environ.get("TORCHELASTIC_RUN_ID", ""),
        os.environ.get("TORCHELASTIC_RESTART_COUNT", ""),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux); empty where /proc is absent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def default_pattern(key: str) -> str:
    """``hydra.run.dir`` or ``hydra.sweep.dir`` as ``conf/config.yaml`` writes it."""
    import yaml

    from rlvr.config.overrides import CONF_DIR

    root = yaml.safe_load((CONF_DIR / "config.yaml").read_text(encoding="utf-8")) or {}
    section = key.split(".")[1]
    return str(root["hydra"][section]["dir"])


def resolve_now(pattern: str, now: datetime) -> str:
    """``outputs/${now:%Y-%m-%d}/…`` with every ``${now:…}`` filled in from ``now``."""
    resolved = _NOW.sub(lambda match: now.strftime(match.group(1)), pattern)
    if "${" in resolved:
        raise ValueError(
            f"cannot name a shared run dir from {pattern!r} (only ${{now:…}} is resolved before Hydra). "
            "Fix: pass hydra.run.dir=<dir> on the command line"
        )
    return resolved


def _remove_old_launch_files(max_age_s: float = 7 * 24 * 3600) -> None:
    cutoff = time.time() - max_age_s
    for old in LAUNCH_DIR.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
