"""The bad-input catalogue: user mistakes as a new user makes them, each run through the real command line.

Every case asserts the exit status, that no Python traceback is printed, and that the message names the
key or file, the value and the fix. CONFIGURATION_GUIDE.md's "Mistakes and their messages" table lists the
same cases (a test checks it), so the docs show what a user will see.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = "pkg://rlvr/data/builtin/sample_completions.jsonl"
TRAIN = "pkg://rlvr/data/builtin/smoke_math_train.jsonl"

# (mistake, command-line arguments, exit status, fragments the message must contain)
CONFIG_MISTAKES = [
    (
        "misspelled train key",
        ["train.max_stepz=3"],
        2,
        ["train.max_stepz=3", "did you mean train.max_steps?"],
    ),
    (
        "misspelled top-level key",
        ["trian.max_steps=3"],
        2,
        ["trian.max_steps", "did you mean train.max_steps?"],
    ),
    ("misspelled root key", ["mdoe=check"], 2, ["mdoe='check'", "did you mean mode?"]),
    (
        "misspelled task",
        ["data_component=finqq"],
        2,
        ["data_component='finqq'", "did you mean data_component=finqa?"],
    ),
    ("misspelled preset", ["experiment=smok"], 2, ["experiment='smok'", "did you mean experiment=smoke?"]),
    (
        "misspelled benchmark suite",
        ["mode=eval", "eval.suite=math_sdt"],
        2,
        ["eval.suite='math_sdt'", "did you mean eval.suite=math_std?"],
    ),
    (
        "benchmark file missing",
        ["mode=eval", "eval.suite=gsm8k_std", "eval.suite.benchmarks.gsm8k.path=nope.jsonl"],
        2,
        ["eval.suite.benchmarks.gsm8k.path='nope.jsonl'", "does not exist"],
    ),
    (
        "reward routed to a misspelled task",
        ["data_component=mixture", "reward.reward_functions[1].tasks=[finqq]"],
        2,
        ["reward.reward_functions[1].tasks=['finqq']", "did you mean finqa?", "no correctness reward scores"],
    ),
    ("unknown mode", ["mode=trian"], 2, ["mode='trian'", "unknown mode", "mode=train|"]),
    ("learning rate not a number", ["train.learning_rate=abc"], 2, ["train.learning_rate='abc'", "a number"]),
    ("negative learning rate", ["train.learning_rate=-1"], 2, ["train.learning_rate=-1", "Fix:"]),
    ("max_steps of -1", ["train.max_steps=-1"], 2, ["train.max_steps=-1", "3 epochs", "positive"]),
    (
        "zero batch size",
        ["train.per_device_train_batch_size=0"],
        2,
        ["train.per_device_train_batch_size=0", "Fix:"],
    ),
    ("unknown loss type", ["train.loss_type=dapoo"], 2, ["train.loss_type='dapoo'", "dapo"]),
    (
        "bool that is not a bool",
        ["train.bf16=maybe"],
        2,
        ["train.bf16='maybe'", "train.bf16=true or train.bf16=false"],
    ),
    ("one generation per prompt", ["train.num_generations=1"], 2, ["train.num_generations=1", "at least 2"]),
    ("group size not dividing the batch", ["train.num_generations=3"], 2, ["multiple of num_generations"]),
    ("no completion tokens", ["train.max_completion_length=0"], 2, ["train.max_completion_length=0", "Fix:"]),
    ("unknown rollout backend", ["train.rollout.backend=vlm"], 2, ["train.rollout.backend='vlm'", "fast"]),
    (
        "unknown decode attention",
        ["train.rollout.decode_attention=flash"],
        2,
        ["train.rollout.decode_attention='flash'", "grouped, sdpa"],
    ),
    (
        "vLLM backend without vLLM",
        ["train.rollout.backend=vllm"],
        2,
        ["vLLM is not installed", "pip install"],
    ),
    ("unknown NaN policy", ["train.nan_guard=maybe"], 2, ["train.nan_guard='maybe'", "skip, stop, off"]),
    (
        "reward weights in the train node",
        ["train.reward_weights=[1.0]"],
        2,
        ["train.reward_weights", "weight"],
    ),
    ("token in the config", ["train.hub_token=hf_x"], 2, ["train.hub_token='***'", "HF_TOKEN"]),
    ("missing checkpoint to resume", ["train.resume_from_checkpoint=/no/ckpt"], 2, ["/no/ckpt", "auto"]),
    ("score without input", ["mode=score"], 2, ["input=None", "add input=<file.jsonl>"]),
    (
        "score input missing",
        ["mode=score", "input=absent.jsonl"],
        2,
        ["input='absent.jsonl'", "does not exist"],
    ),
    ("compare without tables", ["mode=compare"], 2, ["a=None", "b=None", "eval_samples"]),
    ("model path missing", ["model.model_name_or_path=/no/model"], 2, ["/no/model", "does not exist"]),
    ("unknown dtype", ["model.dtype=float8"], 2, ["model.dtype='float8'", "bfloat16"]),
    (
        "4-bit without LoRA",
        ["model.load_in_4bit=true", "model.lora.enabled=false"],
        2,
        ["model.load_in_4bit", "lora.enabled=true"],
    ),
    (
        "4-bit and 8-bit",
        ["model.load_in_4bit=true", "model.load_in_8bit=true"],
        2,
        ["model.load_in_8bit", "choose one"],
    ),
    (
        "unknown LoRA key",
        ["model.lora.rank=8"],
        2,
        ["model.lora.rank=8", "unknown key: not accepted by model.lora (LoraSettings)"],
    ),
    (
        "TRL's vLLM path with Unsloth",
        ["model_component=unsloth", "train.rollout.backend=vllm"],
        2,
        ["train.rollout.backend='vllm'", "model_component=unsloth", "model.fast_inference=true"],
    ),
    (
        "unknown attention kernel",
        ["model.attn_implementation=flash"],
        2,
        ["model.attn_implementation='flash'", "flash_attention_2"],
    ),
    (
        "data file missing",
        ["data.path=absent.jsonl", "data.hub_id=null"],
        2,
        ["data.path='absent.jsonl'", "does not exist"],
    ),
    ("unknown bad-row policy", ["data.on_bad_row=ignore"], 2, ["data.on_bad_row='ignore'", "error, skip"]),
    ("negative prompt limit", ["data.max_prompt_tokens=-5"], 2, ["data.max_prompt_tokens=-5", "at least 1"]),
    ("unknown judge", ["eval.judge=exact"], 2, ["eval.judge='exact'", "reward", "numeric"]),
    ("eval sample count not a number", ["eval.max_samples=abc"], 2, ["eval.max_samples='abc'", "Fix:"]),
    (
        "reward param not a number",
        ["reward.reward_functions[0].params.correct_reward=abc"],
        2,
        ["correct_reward='abc'", "a number"],
    ),
    (
        "reward that does not exist",
        ["reward.reward_functions[0]._target_=rlvr.rewards.nope"],
        2,
        ["rlvr.rewards.nope", "cannot import"],
    ),
    (
        "reward weights of the wrong length",
        ["reward.weights=[1.0,2.0,3.0]"],
        2,
        ["reward.weights", "one weight per function"],
    ),
    (
        "negative reward timeout",
        ["reward.timeout=-1"],
        2,
        ["reward.timeout=-1", "must be greater than 0 (seconds; null: no limit)"],
    ),
    (
        "template without question",
        ["prompts.user_template=hello"],
        2,
        ["prompts.user_template='hello'", "{question}"],
    ),
    ("unknown answer format", ["prompts.answer_format=xml"], 2, ["prompts.answer_format='xml'", "boxed"]),
    (
        "unknown console level",
        ["observer.console=loud"],
        2,
        ["observer.sinks.console.level='loud'", "quiet, normal, verbose"],
    ),
    ("two commands at once", ["-m", "train.learning_rate=1e-5,2e-5", "--cfg", "job"], 2, ["--cfg", "-m"]),
]


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def documented(mistake: str) -> tuple[int, list[str]]:
    """The exit status and the lines CONFIGURATION_GUIDE.md's table shows for ``mistake``: one per issue
    (the table joins several issues of one config with " — and "), without the ``rlvr:`` prefix."""
    table = (ROOT / "CONFIGURATION_GUIDE.md").read_text().split("## Mistakes and their messages", 1)[1]
    (row,) = [line for line in table.splitlines() if line.startswith(f"| {mistake} |")]
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
    text = cells[3].replace("\\|", "|").replace("\\`", "`")
    return int(cells[2]), text.split(" — and ")


def assert_documented(result: subprocess.CompletedProcess, mistake: str) -> None:
    """The exit status and every whole line are the ones the guide's table shows (a config issue is
    printed as ``  - <issue>`` under ``rlvr: N config error(s):``, any other error as ``rlvr: <line>``)."""
    status, lines = documented(mistake)
    printed = (result.stdout + result.stderr).splitlines()
    assert result.returncode == status, (mistake, result.stderr[-1500:])
    missing = [line for line in lines if f"  - {line}" not in printed and f"rlvr: {line}" not in printed]
    assert missing == [], (missing, result.stderr[-1500:])


def assert_clear(result: subprocess.CompletedProcess, status: int, fragments: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == status, output[-1500:]
    assert "Traceback" not in output, output[-1500:]
    for fragment in fragments:
        assert fragment in output, (fragment, output[-1500:])


@pytest.mark.parametrize(
    ("mistake", "args", "status", "fragments"), CONFIG_MISTAKES, ids=[m[0] for m in CONFIG_MISTAKES]
)
def test_config_mistake(
    mistake: str, args: list[str], status: int, fragments: list[str], tmp_path: Path
) -> None:
    result = run_cli(args, tmp_path)
    assert_clear(result, status, fragments)
    assert_documented(result, mistake)  # the whole lines, as the guide's table shows them
    assert not (tmp_path / "outputs").exists()  # a rejected config leaves nothing behind


def test_occupied_run_dir(tmp_path: Path) -> None:  # "occupied run dir" in the docs table
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "metrics.jsonl").write_text("{}\n")
    result = run_cli([f"hydra.run.dir={tmp_path / 'old'}"], tmp_path)
    assert_clear(result, 2, ["already holds a run (metrics.jsonl)", "overwrite=true"])


def _tiny(model_dir: Path, *extra: str) -> list[str]:
    return [f"model.model_name_or_path={model_dir}", "data.hub_id=null", "eval.enabled=false", *extra]


def runtime_cases(tmp_path: Path) -> list[tuple[str, list[str], int, list[str]]]:
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"question": "1+1", "answer": "#### 2"}\n{oops\n')
    no_answer = tmp_path / "no_answer.jsonl"
    no_answer.write_text('{"question": "1+1", "solution": "#### 2"}\n')
    unparseable = tmp_path / "unparseable.jsonl"
    unparseable.write_text('{"question": "1+1", "answer": "two"}\n')
    wrong_csv = tmp_path / "rows.csv"
    wrong_csv.write_text("q,a\n1+1,2\n")
    return [
        (
            "malformed JSONL line",
            [f"data.path={bad_json}"],
            3,
            [f"{bad_json}:2: malformed JSON line", "on_bad_row=skip"],
        ),
        (
            "row without an answer",
            [f"data.path={no_answer}"],
            3,
            ["train row 0", "no field 'answer'", "answer_field"],
        ),
        (
            "no usable rows after filtering",
            [f"data.path={unparseable}"],
            3,
            ["no usable training rows", "unparseable"],
        ),
        (
            "CSV with other columns",
            ["data_component=generic", f"data.path={wrong_csv}"],
            3,
            ["no field 'question'", "question_field"],
        ),
        (
            "hub model while offline",
            ["model.model_name_or_path=some-org/some-model", f"data.path={TRAIN}"],
            4,
            ["some-org/some-model", "Offline?", "local directory"],
        ),
    ]


RUNTIME_MISTAKES = [
    "malformed JSONL line",
    "row without an answer",
    "no usable rows after filtering",
    "CSV with other columns",
    "hub model while offline",
]


@pytest.mark.slow
@pytest.mark.parametrize("mistake", RUNTIME_MISTAKES)
def test_runtime_mistake(mistake: str, tiny_model_dir: Path, tmp_path: Path) -> None:
    cases = {case[0]: case for case in runtime_cases(tmp_path)}
    assert sorted(cases) == sorted(RUNTIME_MISTAKES)
    _, args, status, fragments = cases[mistake]
    args = [*_tiny(tiny_model_dir), *args] if args[0].startswith("model.") else _tiny(tiny_model_dir, *args)
    assert_clear(run_cli(args, tmp_path), status, fragments)


def test_the_docs_list_every_mistake() -> None:
    guide = (ROOT / "CONFIGURATION_GUIDE.md").read_text()
    table = guide.split("## Mistakes and their messages", 1)[1]
    from tests.mistakes.test_catalogue import catalogued

    names = [m[0] for m in CONFIG_MISTAKES] + RUNTIME_MISTAKES + ["occupied run dir"] + catalogued()
    assert len(names) >= 40
    assert [n for n in names if f"| {n} |" not in table] == []


def test_the_table_shows_the_catalogues_whole_lines() -> None:
    """The cases of tests/mistakes/ that print the same line anywhere (no run dir or module path in it)
    are shown in the guide's table exactly as they are asserted there."""
    from tests.mistakes.test_config import CONFIG_LINES
    from tests.mistakes.test_modes import MODE_LINES

    cases = [(name, 2, line) for name, _, line in CONFIG_LINES]
    cases += [(name, 3, line.removeprefix("rlvr: ")) for name, _, line in MODE_LINES]
    assert [(name, documented(name)) for name, *_ in cases] == [(n, (s, [line])) for n, s, line in cases]
