"""Launcher and sweeper presets: each composes with its keys, the Optuna preset runs two trials on the smoke
preset, and a missing plugin is named (with rlvr's extra that installs it) before Hydra runs."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from rlvr.config import group_option_issues, plugins
from tests.conftest import CONF_DIR, ROOT
from tests.modes.test_train import tiny_model_overrides


def compose_hydra(overrides: list[str]):
    """The composed config with its ``hydra`` node (what ``--cfg hydra`` prints)."""
    GlobalHydra.instance().clear()
    try:
        with warnings.catch_warnings(), initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            # conf/hydra/launcher/*.yaml replace the plugins' options; Hydra 1.3 warns that it still checks them
            warnings.filterwarnings("ignore", message=r"\s*'hydra/launcher/")
            return compose(config_name="config", overrides=overrides, return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()


def test_slurm_preset_composes_with_rlvrs_defaults() -> None:
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason='pip install -e ".[slurm]"')
    launcher = compose_hydra(["hydra/launcher=submitit_slurm", "hydra.launcher.partition=gpu"]).hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.gpus_per_node, launcher.timeout_min, launcher.partition) == (1, 240, "gpu")
    assert "account" in launcher and launcher.account is None


def test_joblib_preset_composes() -> None:
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason='pip install -e ".[joblib]"')
    launcher = compose_hydra(["hydra/launcher=joblib", "hydra.launcher.n_jobs=3"]).hydra.launcher
    assert launcher._target_.endswith("JoblibLauncher") and launcher.n_jobs == 3


def test_optuna_preset_composes_and_maximises() -> None:
    pytest.importorskip("hydra_plugins.hydra_optuna_sweeper", reason='pip install -e ".[optuna]"')
    sweeper = compose_hydra(["hparams_search=optuna_lr"]).hydra.sweeper
    assert sweeper._target_.endswith("OptunaSweeper")
    assert sweeper.direction == "maximize" and "train.learning_rate" in sweeper.params


def test_cfg_hydra_prints_the_launcher_keys(tmp_path: Path) -> None:
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason='pip install -e ".[slurm]"')
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), "hydra/launcher=submitit_slurm", "--cfg", "hydra"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    launcher = yaml.safe_load(result.stdout)["hydra"]["launcher"]
    assert {"gpus_per_node", "timeout_min", "partition", "account"} <= launcher.keys()
    assert "validated against ConfigStore schema" not in result.stderr  # our file replaces the plugin's


def test_a_missing_plugin_is_named_with_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "installed", lambda module: False)
    issues = group_option_issues(["-m", "hydra/launcher=submitit_slurm", "hparams_search=optuna_lr"])
    assert [str(i) for i in issues] == [
        "hydra/launcher='submitit_slurm': needs Hydra's hydra-submitit-launcher plugin, which is not "
        'installed. Fix: pip install -e ".[slurm]"',
        "hparams_search='optuna_lr': needs Hydra's hydra-optuna-sweeper plugin, which is not installed "
        '(it selects hydra/sweeper=optuna). Fix: pip install -e ".[optuna]"',
    ]
    assert group_option_issues(["hydra/launcher=basic", "hydra/sweeper=basic"]) == []  # Hydra's own


def test_the_cli_stops_before_hydra_when_a_plugin_is_missing(tmp_path: Path) -> None:
    # The plugin is installed here (dev extra), so the lookup is made to miss, as without the extra.
    code = (
        "import sys, runpy; import rlvr.config.plugins as p; p.installed = lambda m: False; "
        f"sys.argv = ['run_pipeline.py', '-m', 'hydra/launcher=joblib', 'mode=score']; "
        f"runpy.run_path({str(ROOT / 'run_pipeline.py')!r}, run_name='__main__')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert (
        'needs Hydra\'s hydra-joblib-launcher plugin, which is not installed. Fix: pip install -e ".[joblib]"'
        in (result.stderr)
    )
    assert "Traceback" not in result.stderr and not (tmp_path / "multirun").exists()


@pytest.mark.slow
def test_optuna_preset_runs_two_trials_on_the_smoke_preset(tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip("hydra_plugins.hydra_optuna_sweeper", reason='pip install -e ".[optuna]"')
    command = [
        sys.executable,
        str(ROOT / "run_pipeline.py"),
        "-m",
        "hparams_search=optuna_lr",
        "experiment=smoke",
        *tiny_model_overrides(tiny_model_dir),
        "model.eos_token=null",
        "train.max_steps=1",
        "eval.max_samples=2",
        "eval.batch_size=2",
        "eval.max_new_tokens=4",
        "eval.every_n_steps=0",
        "observer.plots=false",
        "hydra.sweeper.n_trials=2",
    ]
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "WANDB_MODE": "disabled"}
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr[-3000:]
    (sweep_dir,) = (tmp_path / "multirun").glob("*/*")
    rows = list(csv.DictReader((sweep_dir / "sweep_summary.csv").open()))
    assert [(r["job"], r["status"]) for r in rows] == [("0", "ok"), ("1", "ok")]
    assert all("train.learning_rate=" in r["overrides"] and r["accuracy_after"] != "" for r in rows)
    status = [json.loads((sweep_dir / job / "status.json").read_text()) for job in ("0", "1")]
    results = yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())
    assert results["best_value"] == max(s["accuracy"] for s in status)  # Optuna saw each job's accuracy
    assert "rlvr: sweep: 2 jobs, 0 not ok" in result.stdout
