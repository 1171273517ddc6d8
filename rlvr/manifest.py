"""``manifest.json``: everything needed to re-run a run and to know what it ran on.

    write_manifest(run_dir, config, data_info=parts.data.info)

Holds the command line (and a ready-to-paste re-run command), the resolved config, the git commit and
whether the tree had uncommitted changes, Python and package versions, seeds, dataset fingerprints and
the hardware. Secrets are masked by :func:`rlvr.redaction.redact` like every other file of the run.
Package versions are read from installed metadata, so writing a manifest imports no torch; the GPU is
looked up only when torch is already loaded (a training run), and the CPU always.
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rlvr.redaction import redact
from rlvr.run_dir import RunDir

PACKAGES = ("rlvr", "torch", "transformers", "trl", "peft", "datasets", "accelerate", "hydra-core")
PACKAGES_OPTIONAL = ("vllm", "bitsandbytes", "wandb", "tensorboard", "math-verify", "unsloth")
_REPO = Path(__file__).resolve().parent.parent


def write_manifest(run_dir: RunDir, config: dict[str, Any], data_info: dict[str, Any] | None = None) -> Path:
    """Write ``manifest.json`` into ``run_dir`` (secrets masked) and return its path."""
    return run_dir.write_json("manifest.json", build_manifest(config, data_info))


def build_manifest(config: dict[str, Any], data_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest as a dict: command, config, code, environment, seeds, data, hardware."""
    manifest = {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": list(sys.argv),
        "rerun": rerun_command(sys.argv),
        "cwd": os.getcwd(),
        "git": git_state(_REPO),
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "packages": package_versions(),
        "seeds": seeds(config),
        "data": data_fingerprints(data_info or {}),
        "hardware": hardware(),
        "config": config,
    }
    return redact(manifest)


def rerun_command(argv: list[str]) -> str:
    """A shell command that repeats this run (same script, same overrides) from the repository root."""
    script = Path(argv[0]).name if argv else "run_pipeline.py"
    return " ".join(["python", shlex.quote(script), *map(shlex.quote, argv[1:])])


def git_state(repo: Path) -> dict[str, Any]:
    """``{"commit", "dirty"}`` of the repository holding rlvr; ``None`` values outside a git checkout."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def package_versions() -> dict[str, str | None]:
    """Installed versions (``None`` for a required package that is missing; optional ones left out)."""
    versions: dict[str, str | None] = {name: _version(name) for name in PACKAGES}
    versions |= {name: v for name in PACKAGES_OPTIONAL if (v := _version(name))}
    return versions


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def seeds(config: dict[str, Any]) -> dict[str, Any]:
    """The seeds that decide sampling: the global one, and TRL's own when set."""
    train = config.get("train") or {}
    found = {"seed": config.get("seed")}
    found |= {f"train.{k}": train[k] for k in ("seed", "data_seed") if train.get(k) is not None}
    return found


def data_fingerprints(info: dict[str, Any]) -> dict[str, Any]:
    """Where the rows came from and their digests (the data component's ``info``, without row counts)."""
    keep = ("source", "sha256", "eval_source", "eval_sha256", "hub_id", "revision", "fingerprint")
    found = {k: info[k] for k in keep if k in info}
    found |= {k: v for k, v in info.items() if k.endswith(("sha256", "fingerprint", "revision"))}
    if "splits" in info:
        found["rows"] = {name: (s or {}).get("rows") for name, s in info["splits"].items()}
    return found


def hardware() -> dict[str, Any]:
    """CPU facts always; GPU name and count when torch is loaded (it is, in every training run)."""
    found: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_name(),
        "cpu_cores": os.cpu_count(),
    }
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        count = torch.cuda.device_count()
        found |= {"gpu_count": count, "gpus": [torch.cuda.get_device_name(i) for i in range(count)]}
        found["cuda"] = torch.version.cuda
    elif torch is not None:
        found |= {"gpu_count": 0, "gpus": []}
    return found


def _cpu_name() -> str | None:
    """The CPU model (``/proc/cpuinfo`` on Linux, where ``platform.processor()`` is empty)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None
