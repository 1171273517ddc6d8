"""model_component=unsloth for real: Unsloth loads the tiny model, the pipeline trains a GRPO step with
it, saves the adapter and a merged model, and both reload (plain transformers/peft and the pipeline).

Needs the ``unsloth`` extra, which lives in a venv of its own: ``make test-unsloth`` builds it (CPU torch,
the extra's pins) and runs ``pytest -m unsloth``. Without a GPU Unsloth runs its CPU fallback (stock
transformers + PEFT + TRL), which is what CI exercises; its GPU kernels and vLLM path are not run here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.modes.test_train import tiny_model_overrides

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.unsloth,
    pytest.mark.skipif(
        importlib.util.find_spec("unsloth") is None,
        reason="needs the unsloth extra in its own venv: run `make test-unsloth`",
    ),
]
LORA = {"r": 4, "alpha": 8}


def _pipeline(*args: str) -> subprocess.CompletedProcess:
    """``python run_pipeline.py *args`` as users run it: Unsloth is imported by the pipeline itself."""
    command = [sys.executable, str(ROOT / "run_pipeline.py"), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def _one_unsloth_step(tiny_model_dir: Path, run_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """One GRPO step of the tiny model with ``model_component=unsloth`` (LoRA r 4) into ``run_dir``."""
    overrides = [o for o in tiny_model_overrides(tiny_model_dir) if not o.startswith("model.lora")]
    return _pipeline(
        "model_component=unsloth",
        *overrides,
        "model.lora.r=4",
        "model.lora.alpha=8",
        "train.max_steps=1",
        "reward.reward_functions=[{_target_: tests.scorers_for_tests.digit_share}]",  # varies on random text
        *extra,
        f"hydra.run.dir={run_dir}",
    )


# In-process, pytest has imported transformers before Unsloth; the pipeline runs below check the real order.
@pytest.mark.filterwarnings("ignore:WARNING. Unsloth should be imported before")
def test_fast_language_model_loads_and_wraps_the_tiny_model(tiny_model_dir: Path) -> None:
    import torch
    from peft import PeftModel

    from rlvr.models.unsloth import UnslothModel

    component = UnslothModel(str(tiny_model_dir), dtype="float32", max_completion_length=8, lora=LORA)
    loaded = component.load()
    model, tokenizer = loaded.model, loaded.tokenizer
    assert isinstance(model, PeftModel) and loaded.peft_config is None  # wrapped by get_peft_model
    assert hasattr(model, "save_pretrained_merged")  # attached by Unsloth's loader, not by peft
    assert model.max_seq_length == 512 + 8  # prompt budget + completion length
    config = model.peft_config["default"]
    assert (config.r, config.lora_alpha, config.lora_dropout) == (4, 8, 0.0)
    assert set(config.target_modules) == {
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    }
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in name for name in trainable)
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert tokenizer.padding_side == "left" and model.generation_config.pad_token_id == tokenizer.pad_token_id
    batch = tokenizer(["question 1", "q 2"], return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=4, do_sample=False)
    assert out.shape == (2, batch["input_ids"].shape[1] + 4)


@pytest.fixture(scope="module")
def unsloth_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """One GRPO step through ``run_pipeline.py model_component=unsloth``, saving adapter and merged model."""
    run_dir = tmp_path_factory.mktemp("unsloth-run")
    done = _one_unsloth_step(
        tiny_model_dir,
        run_dir,
        "model.save_merged=true",
        "train.learning_rate=0.05",
        "eval.max_samples=2",
        "eval.batch_size=2",
        "eval.max_new_tokens=8",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return run_dir, done.stdout, done.stderr


def test_a_grpo_step_trains_the_unsloth_adapter(unsloth_run: tuple[Path, str, str]) -> None:
    from safetensors.torch import load_file

    run_dir, stdout, stderr = unsloth_run
    assert "Unsloth 2026.10.9" in stdout  # Unsloth's banner: the pipeline really imported it
    assert "Unsloth should be imported before" not in stderr  # ...ahead of transformers and TRL
    if "no GPU found" in stdout:
        assert "Unsloth's CPU fallback" in stderr  # rlvr says which path trains
    report = json.loads((run_dir / "eval_report.json").read_text())
    assert report["train"]["global_step"] == 1
    metrics = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    step = next(r for r in metrics if r.get("kind") == "train" and "loss" in r)
    assert step["reward_std"] > 0, "no learning signal: the step could not change the adapter"
    adapter = load_file(str(run_dir / "final_model" / "adapter_model.safetensors"))
    lora_b = [name for name in adapter if "lora_B" in name]
    assert len(lora_b) == 2 * 7  # two layers x seven projections
    assert all(adapter[name].abs().sum() > 0 for name in lora_b)  # initialised to zero, moved by the step
    config = json.loads((run_dir / "final_model" / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"]) == (4, 8)


def test_saved_adapter_and_merged_model_reload_with_plain_transformers(
    unsloth_run: tuple[Path, str, str], tiny_model_dir: Path
) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run_dir, _, _ = unsloth_run
    merged_dir = run_dir / "merged_model"
    assert (merged_dir / "model.safetensors").is_file() and not (merged_dir / "adapter_config.json").exists()
    assert AutoTokenizer.from_pretrained(merged_dir).padding_side == "left"
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    adapted = PeftModel.from_pretrained(base, str(run_dir / "final_model")).eval()
    ids = torch.tensor([[10, 11, 12, 13, 14]])
    with torch.no_grad():
        torch.testing.assert_close(
            merged(input_ids=ids).logits, adapted(input_ids=ids).logits, rtol=1e-4, atol=1e-4
        )
        with adapted.disable_adapter():
            assert (adapted(input_ids=ids).logits - merged(input_ids=ids).logits).abs().max() > 1e-5


@pytest.mark.parametrize(("component", "saved"), [("unsloth", "final_model"), ("default", "merged_model")])
def test_the_pipeline_reloads_what_it_saved(
    unsloth_run: tuple[Path, str, str], tiny_model_dir: Path, tmp_path: Path, component: str, saved: str
) -> None:
    """``mode=eval`` on the saved adapter (through Unsloth again) and on the merged model (plain loader)
    reproduces the training run's final greedy completions."""
    run_dir, _, _ = unsloth_run
    overrides = [o for o in tiny_model_overrides(tiny_model_dir) if not o.startswith("model.")]
    done = _pipeline(
        "mode=eval",
        f"model_component={component}",
        f"model.model_name_or_path={run_dir / saved}",
        "model.dtype=float32",
        *overrides,
        "eval.max_samples=2",
        "eval.batch_size=2",
        "eval.max_new_tokens=8",
        "reward.reward_functions=[{_target_: tests.scorers_for_tests.digit_share}]",
        f"hydra.run.dir={tmp_path / 'eval'}",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "eval" / "eval_report.json").read_text())
    assert report["model"].startswith(str(run_dir / saved))
    after = [json.loads(line) for line in (run_dir / "eval_samples_after.jsonl").read_text().splitlines()]
    again = [
        json.loads(line) for line in (tmp_path / "eval" / "eval_samples_eval.jsonl").read_text().splitlines()
    ]
    assert [r["completion"] for r in again] == [r["completion"] for r in after]


def test_fast_inference_without_vllm_stops_before_loading(tiny_model_dir: Path, tmp_path: Path) -> None:
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    done = _pipeline(
        "model_component=unsloth",
        f"model.model_name_or_path={tiny_model_dir}",
        "model.fast_inference=true",
        f"hydra.run.dir={tmp_path / 'run'}",
    )
    assert done.returncode == 5 and "Traceback" not in done.stderr
    assert (
        "rlvr: model.fast_inference=true runs Unsloth's rollouts in vLLM, which is not installed"
        in done.stderr
    )


def test_without_a_gpu_the_cpu_fallback_can_be_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Unsloth's documented switch: UNSLOTH_DISABLE_CPU_FALLBACK=1 makes a GPU-less machine an error."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: there is no CPU fallback to refuse")
    command = [sys.executable, str(ROOT / "run_pipeline.py"), "model_component=unsloth"]
    command += [f"model.model_name_or_path={tiny_model_dir}", f"hydra.run.dir={tmp_path / 'run'}"]
    env = {**os.environ, "UNSLOTH_DISABLE_CPU_FALLBACK": "1"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 5 and "Traceback" not in done.stderr, done.stderr[-2000:]
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("rlvr:")]
    assert "Unsloth found no GPU" in line and "unset UNSLOTH_DISABLE_CPU_FALLBACK" in line


def test_the_engine_generates_under_unsloth_when_named(tiny_model_dir: Path, tmp_path: Path) -> None:
    """train.rollout.backend=fast with model_component=unsloth: the rollouts come from rlvr's engine (its
    sampler-vs-trainer log-prob gap is logged at the first step), and the step trains."""
    done = _one_unsloth_step(
        tiny_model_dir, tmp_path / "run", "train.rollout.backend=fast", "eval.enabled=false"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "falls back to TRL's generation" not in done.stderr
    metrics = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    step = next(r for r in metrics if r.get("kind") == "train" and "loss" in r)
    assert step["rollout/logprob_gap/mean"] < 1e-3  # float32 on CPU: the engine samples the policy itself
