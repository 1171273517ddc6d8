"""Run ``run_pipeline.py`` as users do, timing it and recording which heavy packages it imported."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

HEAVY = ("torch", "transformers", "trl", "datasets", "peft", "unsloth")


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    heavy: list[str]  # heavy top-level packages imported (only with importtime=True)


def run_cli(args: list[str], tmp_path: Path, importtime: bool = False, run_dir: bool = True) -> CliRun:
    """Run ``python run_pipeline.py *args`` in ``tmp_path``; ``importtime`` adds ``-X importtime`` (slower,
    so timing assertions use runs without it). ``run_dir`` points Hydra's run dir into ``tmp_path``."""
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), str(ROOT / "run_pipeline.py")]
    command += [*args, *([f"hydra.run.dir={tmp_path / 'run'}"] if run_dir else [])]
    start = time.perf_counter()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seconds = time.perf_counter() - start
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    stderr = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("import time:"))
    return CliRun(result.returncode, result.stdout, stderr, seconds, sorted(imported & set(HEAVY)))
