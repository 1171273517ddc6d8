"""Catalogue: mistakes found once the run has started (data, model settings, rewards that teach
nothing), each compared on the whole printed line, with the ending in status.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mistakes.cli import run_until, tiny_args, write_user_modules

# (mistake, extra arguments of the one-step tiny run, exit status, the whole line)
RUNTIME_LINES = [
    (
        "LoRA target the model lacks",
        ["model.lora.enabled=true", "model.lora.target_modules=[nope_proj]"],
        2,
        "rlvr: model.lora.target_modules=['nope_proj']: the model has no module named nope_proj (its linear "
        "layers: down_proj, gate_proj, k_proj, lm_head, o_proj, q_proj, up_proj, v_proj). Fix: choose from "
        "those, or use model.lora.target_modules=all-linear",
    ),
    (
        "a reward that always returns None",
        ["reward.reward_functions=[{_target_: odd_rewards.unscored}]"],
        0,
        "rlvr: warning: alarm: unscored at step 1: reward 'unscored' returned None for every completion "
        "(rewards/unscored/mean is empty); check what it reads (the dataset columns it names, the answer "
        "format it expects)",
    ),
    (
        "a reward that calls sys.exit",
        ["reward.reward_functions=[{_target_: odd_rewards.exits}]"],
        6,
        "rlvr: reward 'exits' called sys.exit(3) on sample 0; a reward returns a float or None. Fix: raise an "
        "exception there instead (the entry's on_error then decides), or return None",
    ),
    (
        "a reward slower than its timeout",
        ["reward.reward_functions=[{_target_: odd_rewards.slow}]", "reward.timeout=1"],
        0,
        "rlvr: warning: alarm: reward_errors at step 1: rewards/slow/errors=4 (calls that raised or timed "
        "out); see the reward function's first traceback in the log; fix it or its params",
    ),
    (
        "answers longer than the model's context",
        ["eval.max_new_tokens=1500", "eval.max_samples=1"],
        0,
        "rlvr: warning: eval.max_new_tokens=1500 is beyond the model's context of 1024 tokens "
        "(max_position_embeddings): generation degrades or fails past it. Fix: e.g. eval.max_new_tokens=512",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "extra", "code", "line"), RUNTIME_LINES, ids=[c[0] for c in RUNTIME_LINES]
)
def test_runtime_mistake_line(
    mistake: str, extra: list[str], code: int, line: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    write_user_modules(tmp_path)  # the custom rewards some cases name
    result = run_until(tiny_args(tiny_model_dir, run_dir, *extra), None, {"PYTHONPATH": str(tmp_path)})
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    assert line in output.splitlines() and "Traceback" not in output, output[-3000:]
    status = json.loads((run_dir / "status.json").read_text())
    assert (status["status"], status["exit_code"]) == ("ok" if code == 0 else "failed", code)


GOOD_ROW = '{"question": "1+1?", "answer": "#### 2"}\n'
#: file name → bytes of the data files the data cases read (each with a good first row).
DATA_FILES = {
    "latin1.jsonl": GOOD_ROW.encode() + '{"question": "café 1+2?", "answer": "#### 3"}\n'.encode("latin-1"),
    "utf16.jsonl": (GOOD_ROW * 2).encode("utf-16"),
    "null_question.jsonl": (GOOD_ROW + '{"question": null, "answer": "#### 2"}\n').encode(),
    "empty_question.jsonl": (GOOD_ROW + '{"question": " ", "answer": "#### 2"}\n').encode(),
    "decimal_comma.jsonl": (GOOD_ROW + '{"question": "x?", "answer": "#### 5,0"}\n').encode(),
    "spaced_number.jsonl": (GOOD_ROW + '{"question": "x?", "answer": "#### 1 234"}\n').encode(),
    "eval_unparseable.jsonl": b'{"question": "x?", "answer": "#### five"}\n{"question": "y?", "answer": "#### 5,0"}\n',
}
# (mistake, mode=check arguments ({dir}: the data files' folder), exit status, the whole line)
DATA_LINES = [
    (
        "a Latin-1 byte in a data file",
        ["data.path={dir}/latin1.jsonl"],
        3,
        "rlvr: {dir}/latin1.jsonl:2: byte 0xe9 is not UTF-8 (a Latin-1 or Windows-1252 file?). Fix: save it as "
        "UTF-8 (e.g. iconv -f LATIN1 -t UTF-8 latin1.jsonl > latin1.utf8.jsonl)",
    ),
    (
        "a UTF-16 data file",
        ["data.path={dir}/utf16.jsonl"],
        3,
        "rlvr: {dir}/utf16.jsonl: the file is UTF-16, not UTF-8. Fix: save it as UTF-8 (e.g. iconv -f UTF-16 "
        "-t UTF-8 utf16.jsonl > utf16.utf8.jsonl)",
    ),
    (
        "a null question",
        ["data.path={dir}/null_question.jsonl"],
        3,
        "rlvr: train row 1: field 'question' is null. Fix: correct the row, or set data.on_bad_row=skip to skip "
        "and count such rows",
    ),
    (
        "an empty question",
        ["data.path={dir}/empty_question.jsonl"],
        3,
        "rlvr: train row 1: field 'question' is empty. Fix: correct the row, or set data.on_bad_row=skip to "
        "skip and count such rows",
    ),
    (
        "gold answer with a decimal comma",
        ["data.path={dir}/decimal_comma.jsonl", "data.on_unparseable=error"],
        3,
        "rlvr: train row 1: gold answer '#### 5,0' cannot be parsed; fix the data or set "
        "data.on_unparseable=drop to drop and count such rows",
    ),
    (
        "gold answer with a space in the number",
        ["data.path={dir}/spaced_number.jsonl", "data.on_unparseable=error"],
        3,
        "rlvr: train row 1: gold answer '#### 1 234' cannot be parsed; fix the data or set "
        "data.on_unparseable=drop to drop and count such rows",
    ),
    (
        "check with every eval row dropped",
        [
            "data.path={dir}/null_question.jsonl",
            "data.on_bad_row=skip",
            "data.eval_path={dir}/eval_unparseable.jsonl",
        ],
        1,
        "  - eval: every row was dropped (2 unparseable), so nothing is left to use",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("mistake", "args", "code", "line"), DATA_LINES, ids=[c[0] for c in DATA_LINES])
def test_data_mistake_line(
    mistake: str, args: list[str], code: int, line: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    for name, data in DATA_FILES.items():
        (tmp_path / name).write_bytes(data)
    run_dir = tmp_path / "run"
    overrides = [a.format(dir=tmp_path) for a in args]
    base = [f"model.model_name_or_path={tiny_model_dir}", "data.hub_id=null", "mode=check"]
    result = run_until([*base, *overrides, f"hydra.run.dir={run_dir}"], None)
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    assert line.format(dir=tmp_path) in output.splitlines() and "Traceback" not in output, output[-3000:]
    assert json.loads((run_dir / "status.json").read_text())["status"] == "failed"
