"""A real GRPO run on the tiny offline model with every observer output on: the console shows one bar and
one line per step, the run dir gets the manifest, summary, plots, W&B and TensorBoard files — and a
secret set in the environment and in the config appears in none of its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.modes.test_train import tiny_run_config

ENV_SECRETS = {"WANDB_API_KEY": "wandb-env-secret-0123456789", "HF_TOKEN": "hf_envsecretABCDEFGHIJ"}
CONFIG_SECRET = "config-secret-password-42"


@pytest.fixture(scope="module")
def observed_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    run_dir = tmp_path_factory.mktemp("observed")
    with pytest.MonkeyPatch.context() as patch, _captured() as captured:
        for name, value in ENV_SECRETS.items():
            patch.setenv(name, value)
        patch.setenv("HOME", str(run_dir.parent / "home"))
        cfg = tiny_run_config(
            tiny_model_dir,
            "observer.backends=[wandb,tensorboard]",
            "observer.wandb.mode=offline",
            "observer.wandb.completions_every=1",
            f"+db_password={CONFIG_SECRET}",
            f"+notes_with_env_value={ENV_SECRETS['HF_TOKEN']}",
            # Secrets handed to W&B's own settings, which go into its run file, not through the config:
            "observer.wandb.notes=${oc.env:HF_TOKEN}",
            "observer.wandb.tags=[${oc.env:HF_TOKEN}]",
            "observer.wandb.group=${db_password}",  # a config secret, by value
        )
        run(cfg, RunDir(run_dir))
    return run_dir, *captured


class _captured:
    """stdout and stderr of the run (capsys is function-scoped; this fixture is module-scoped)."""

    def __enter__(self) -> list[str]:
        import contextlib
        import io

        self.out, self.err = io.StringIO(), io.StringIO()
        self.stack = contextlib.ExitStack()
        self.stack.enter_context(contextlib.redirect_stdout(self.out))
        self.stack.enter_context(contextlib.redirect_stderr(self.err))
        self.result: list[str] = []
        return self.result

    def __exit__(self, *exc: object) -> None:
        self.stack.close()
        self.result += [self.out.getvalue(), self.err.getvalue()]


def test_no_secret_reaches_any_file_of_the_run_dir(observed_run: tuple[Path, str, str]) -> None:
    run_dir, out, err = observed_run
    secrets = [s.encode() for s in (*ENV_SECRETS.values(), CONFIG_SECRET)]
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    assert len(files) > 20
    leaks = [(str(p.relative_to(run_dir)), s) for p in files for s in secrets if s in p.read_bytes()]
    assert leaks == []
    assert not [s for s in secrets if s.decode() in out + err]
    assert json.loads((run_dir / "manifest.json").read_text())["config"]["db_password"] == "<redacted>"


def test_console_is_one_bar_and_one_line_per_step(observed_run: tuple[Path, str, str]) -> None:
    _, out, err = observed_run
    steps = [line for line in out.splitlines() if line.startswith("rlvr: step")]
    assert [line.split()[2] for line in steps] == ["1/2", "2/2"]
    assert "{'loss'" not in out + err  # transformers' raw log dict is not printed
    assert "rlvr: train: 100%" in err and "2/2" in err  # the one progress bar
    assert "rlvr: summary:\n  steps             2/2" in out


def test_run_dir_holds_manifest_summary_plots_and_backend_files(observed_run: tuple[Path, str, str]) -> None:
    run_dir, _, _ = observed_run
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["steps"] == 2 and summary["max_steps"] == 2
    assert summary["tokens_generated"] > 0 and set(summary["accuracy"]) == {"before", "after"}
    assert {"manifest.json", "plots", "wandb", "tensorboard", "wandb_run_id", "summary.md"} <= set(
        summary["files"]
    )
    assert "reward (total and per function)" in summary["plots"]
    assert all(Path(p).is_file() for p in summary["plots"].values())
    run_id = (run_dir / "wandb_run_id").read_text().strip()
    [log] = list(run_dir.glob(f"wandb/offline-run-*-{run_id}/run-{run_id}.wandb"))
    assert b"completions/step_000001" in log.read_bytes() and b"eval_samples/after" in log.read_bytes()
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["data"]["sha256"] and manifest["seeds"]["seed"] == 42
