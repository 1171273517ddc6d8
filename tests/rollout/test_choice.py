"""One generator vocabulary (``auto|fast|hf|vllm``) and one ``auto`` rule, for rollouts and evaluation alike.

The same rule answers the trainer, the evaluator, the pre-load memory estimate and validation; ``trl``, the
rollouts' old name for ``hf``, still works and says so in one line.
"""

from __future__ import annotations

from typing import get_args

import pytest

from rlvr.config import validate_config
from rlvr.config.errors import ConfigValidationError
from rlvr.evaluation import GreedyAccuracy
from rlvr.models.memory import plan_from_settings
from rlvr.rollout.choice import BACKENDS, EvalBackend, choose
from rlvr.training import GRPOTrainingLoop
from tests.conftest import compose_config as compose


@pytest.mark.parametrize(
    ("backend", "cuda", "unsloth_vllm", "expected"),
    [
        ("auto", True, False, "fast"),  # the engine on a CUDA GPU
        ("auto", False, False, "hf"),  # the model's generate elsewhere
        ("auto", True, True, "hf"),  # Unsloth's vLLM engine is behind the model's generate
        ("fast", False, False, "fast"),  # a named backend is kept
        ("hf", True, False, "hf"),
        ("vllm", True, False, "vllm"),
        ("trl", True, False, "hf"),  # the old rollout spelling
    ],
)
def test_choose(backend: str, cuda: bool, unsloth_vllm: bool, expected: str) -> None:
    assert choose(backend, cuda=cuda, unsloth_vllm=unsloth_vllm) == expected


def test_one_vocabulary_for_both_places() -> None:
    assert BACKENDS == ("auto", "fast", "hf", "vllm")
    (names, *old_names) = get_args(EvalBackend)
    assert get_args(names) == tuple(b for b in BACKENDS if b != "vllm")  # vllm: rollouts only
    assert [(r.old, r.new) for r in old_names] == [("trl", "hf")]


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            ["train.rollout.backend=vlm"],
            "train.rollout.backend='vlm': expected one of: auto, fast, hf, vllm (got str). Fix: did you mean "
            "train.rollout.backend=vllm?",
        ),
        (
            ["eval.backend=vllm"],
            "eval.backend='vllm': not one of auto, fast, hf for evaluation (vllm is for rollouts only). Fix: use "
            "auto (fast on a CUDA GPU, hf elsewhere), fast (rlvr's engine) or hf (the model's generate)",
        ),
    ],
)
def test_validation_says_the_same_names_in_both_places(overrides: list[str], line: str) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        validate_config(compose(overrides))
    assert [str(issue) for issue in caught.value.issues] == [line]


@pytest.mark.parametrize(
    "overrides", [["train.rollout.backend=trl"], ["eval.backend=hf", "train.rollout.backend=hf"]]
)
def test_old_and_new_spellings_validate(overrides: list[str]) -> None:
    validate_config(compose(overrides))


def test_the_old_spelling_works_and_says_so_once(capsys: pytest.CaptureFixture[str]) -> None:
    loop = GRPOTrainingLoop(rollout={"backend": "trl"}, use_cpu=True)
    evaluator = GreedyAccuracy(backend="trl")
    assert loop.rollout.backend == evaluator.backend == "hf"
    assert capsys.readouterr().err.splitlines() == [
        "rlvr: warning: train.rollout.backend=trl is deprecated; it means train.rollout.backend=hf, the name "
        "to use from now on",
        "rlvr: warning: eval.backend=trl is deprecated; it means eval.backend=hf, the name to use from now on",
    ]
    GRPOTrainingLoop(rollout={"backend": "hf"}, use_cpu=True)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("backend", "fast_inference", "cuda", "copy"),
    [
        ("auto", False, True, True),
        ("fast", False, True, True),
        ("auto", False, False, False),  # no inference copy on CPU
        ("hf", False, True, False),
        ("trl", False, True, False),
        ("vllm", False, True, False),
        ("auto", True, True, False),  # Unsloth's vLLM generates
        ("fast", True, True, False),  # named, but the trainer falls back to Unsloth's vLLM
    ],
)
def test_memory_estimate_counts_the_engine_copy_by_the_same_rule(
    backend: str, fast_inference: bool, cuda: bool, copy: bool
) -> None:
    model = {"fast_inference": fast_inference}
    plan = plan_from_settings(model, {"rollout": {"backend": backend}}, cuda=cuda)
    assert plan.inference_copy is copy
