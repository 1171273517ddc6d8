"""Run ``run_pipeline.py`` as users do, recording which heavy packages it imported (speed is a property of
the import graph here, never a clock: a loaded machine is slow, not wrong)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

HEAVY = ("torch", "transformers", "trl", "datasets", "peft", "unsloth")


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    heavy: list[str]  # heavy top-level packages imported (only with importtime=True)


def run_cli(args: list[str], tmp_path: Path, importtime: bool = False, run_dir: bool = True) -> CliRun:
    """Run ``python run_pipeline.py *args`` in ``tmp_path``; ``importtime`` adds ``-X importtime`` (to list
    the heavy packages imported). ``run_dir`` points Hydra's run dir into ``tmp_path``."""
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), str(ROOT / "run_pipeline.py")]
    command += [*args, *([f"hydra.run.dir={tmp_path / 'run'}"] if run_dir else [])]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    stderr = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("import time:"))
    return CliRun(result.returncode, result.stdout, stderr, sorted(imported & set(HEAVY)))
