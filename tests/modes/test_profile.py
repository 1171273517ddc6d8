"""``mode=profile`` on a model whose answer is known: every completion is "7", so each problem's pass rate
is exactly 1 (gold 7) or 0 (any other gold), whatever the sampling draws; then the table feeds the band."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.config import validate_config
from rlvr.config.validate import collect_issues
from rlvr.data.difficulty import row_id
from rlvr.modes import MODES
from rlvr.modes.profile import summarize
from tests.conftest import compose_config

GOLDS = [7, 8, 7, 9, 7, 10]


@pytest.fixture(scope="module")
def forced_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model made a bigram machine that answers "7" and stops: attention and MLP outputs are
    zeroed, so the next token depends only on the current one; after the prompt's last token (the
    space of "assistant: ") "7" wins by a logit margin of 400, after "7" the end of text does — far
    beyond anything the sampling noise (Gumbel, below 18) or a temperature of 1 can overturn."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    space, seven = tokenizer.convert_tokens_to_ids([" ", "7"])
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        model.model.norm.weight.fill_(1.0)
        model.model.embed_tokens.weight[space] = torch.eye(16)[0]
        model.model.embed_tokens.weight[seven] = torch.eye(16)[1]
        model.lm_head.weight.zero_()
        model.lm_head.weight[seven] = 100 * torch.eye(16)[0]
        model.lm_head.weight[tokenizer.eos_token_id] = 100 * torch.eye(16)[1]
    out = tmp_path_factory.mktemp("forced")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def problems(path: Path) -> Path:
    rows = [{"question": f"Problem {i}: how many?", "answer": f"#### {gold}"} for i, gold in enumerate(GOLDS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def profile_config(model_dir: Path, data: Path, *extra: str):
    cfg = compose_config(
        [
            "mode=profile",
            f"model.model_name_or_path={model_dir}",
            "model.lora.enabled=false",
            "model.dtype=float32",
            "data.hub_id=null",
            f"data.path={data}",
            "profile.samples=4",
            "profile.max_new_tokens=4",
            "profile.batch_size=8",
            "observer.plots=false",
            *extra,
        ]
    )
    validate_config(cfg, modes=MODES)
    return cfg


def run_profile(cfg, out: Path) -> dict:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    return run(cfg, RunDir(out))


@pytest.mark.parametrize("backend", ["hf", "fast"])  # HF generate (a CPU's default), rlvr's engine (a GPU's)
def test_pass_rates_are_exact_and_every_file_is_written(
    forced_model_dir: Path, tmp_path: Path, backend: str
) -> None:
    data = problems(tmp_path / "train.jsonl")
    summary = run_profile(profile_config(forced_model_dir, data, f"eval.backend={backend}"), tmp_path / "run")
    records = [json.loads(line) for line in (tmp_path / "run" / "difficulty.jsonl").read_text().splitlines()]
    expected_ids = [
        row_id({"question": f"Problem {i}: how many?", "answer": str(g)}) for i, g in enumerate(GOLDS)
    ]
    assert [r["id"] for r in records] == expected_ids
    assert [r["pass_rate"] for r in records] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert [r["correct"] for r in records] == [4, 0, 4, 0, 4, 0] and {r["samples"] for r in records} == {4}
    assert {r["mean_length"] for r in records} == {2.0}  # "7" and the end-of-text token
    assert {r["truncated"] for r in records} == {0.0}
    assert [r["answer"] for r in records] == [str(g) for g in GOLDS]
    assert (summary["never_solved"], summary["always_solved"]) == (0.5, 0.5)
    assert summary["histogram"] == {"0/4": 3, "1/4": 0, "2/4": 0, "3/4": 0, "4/4": 3}
    assert summary["line"].startswith(
        "50% of train never solved, 50% always solved, 0% in between (6 problems"
    )
    markdown = (tmp_path / "run" / "difficulty.md").read_text()
    assert summary["line"] in markdown and "| 4/4 | 3 | 50.0% |" in markdown
    assert (tmp_path / "run" / "plots" / "difficulty.png").stat().st_size > 0


def test_a_subset_keeps_each_rows_rate_and_the_table_feeds_the_band(
    forced_model_dir: Path, tmp_path: Path
) -> None:
    data = problems(tmp_path / "train.jsonl")
    run_profile(profile_config(forced_model_dir, data, "profile.max_rows=3"), tmp_path / "run")
    table = tmp_path / "run" / "difficulty.jsonl"
    records = [json.loads(line) for line in table.read_text().splitlines()]
    assert len(records) == 3
    gold = {row_id({"question": f"Problem {i}: how many?", "answer": str(g)}): g for i, g in enumerate(GOLDS)}
    assert all(r["pass_rate"] == float(gold[r["id"]] == 7) for r in records)

    from rlvr.config import build

    cfg = compose_config(
        [f"data.path={data}", "data.hub_id=null", f"data.difficulty_file={table}", "data.pass_rate=[1,1]"]
    )
    validate_config(cfg)
    splits = build(cfg.data).load(build(cfg.prompts))
    solved = [r["id"] for r in records if r["pass_rate"] == 1.0]
    assert [row_id(row) for row in splits.train] == solved
    train = splits.info["splits"]["train"]
    assert train["dropped_not_in_profile"] == 3 and train["dropped_below_band"] == 3 - len(solved)


@pytest.mark.parametrize(
    ("override", "key", "rule"),
    [
        ("profile.samples=0", "profile.samples", "must be at least 1"),
        ("profile.temperature=0", "profile.temperature", "must be greater than 0 (a pass rate needs"),
        ("profile.max_rows=abc", "profile.max_rows", "int"),
        ("profile.sample=4", "profile.sample", "did you mean profile.samples?"),
    ],
)
def test_profile_keys_are_checked_before_anything_loads(override: str, key: str, rule: str) -> None:
    cfg = compose_config(
        ["mode=profile", f"+{override}" if override.startswith("profile.sample=") else override]
    )
    issues = [i for i in collect_issues(cfg, MODES) if i.key.startswith("profile")]
    assert [i.key for i in issues] == [key] and rule in str(issues[0]), issues


def test_the_profile_follows_the_rollouts_settings() -> None:
    cfg = compose_config(["mode=profile", "train.temperature=0.7", "train.max_completion_length=99"])
    assert (cfg.profile.temperature, cfg.profile.max_new_tokens) == (0.7, 99)
    assert collect_issues(cfg, MODES) == []


def test_the_summary_counts_exactly() -> None:
    """Rates 0, 1/2, 1/2 and 1 of two samples: a quarter never solved, a quarter always; groups of two are
    without spread with probability 1, 1/2, 1/2 and 1, so three quarters of them on average."""
    records = [
        {"pass_rate": rate, "correct": int(rate * 2), "mean_length": 10.0, "truncated": 0.5}
        for rate in (0.0, 0.5, 0.5, 1.0)
    ]
    summary = summarize(records, samples=2, group=2)
    assert (summary["never_solved"], summary["always_solved"], summary["mean_pass_rate"]) == (0.25, 0.25, 0.5)
    assert summary["histogram"] == {"0/2": 1, "1/2": 2, "2/2": 1}
    assert summary["zero_spread_groups"] == 0.75 and summary["truncated"] == 0.5
    assert "25% of train never solved, 25% always solved, 50% in between" in summary["line"]
