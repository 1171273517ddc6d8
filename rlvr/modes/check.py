"""``mode=check``: a pre-flight check of data, prompts and rewards, without loading model weights.

    python run_pipeline.py mode=check                              # the configured task
    python run_pipeline.py mode=check data.path=test.jsonl data.hub_id=null

Loads the tokenizer only, every configured split, prints a few rendered prompts, formats every gold
answer as the prompt asks (``prompts.completion_template``) and scores it with the configured reward
functions. Prints a JSON summary (also written to ``check_report.json``) and exits with status 1 when
a correctness reward gives some gold answer less than its maximum — data, prompt format and answer
parsing disagree, and training would chase an unwinnable target.
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from rlvr.config import build
from rlvr.console import say, warn
from rlvr.errors import CheckFailed
from rlvr.interfaces import Prompt, RewardComponent
from rlvr.manifest import write_manifest
from rlvr.prompts import render_prompt
from rlvr.rewards.judge import correctness_maximum
from rlvr.run_dir import RunDir

EXAMPLES_SHOWN = 2
FAILURES_SHOWN = 5


def score_gold(split: Any, prompt: Prompt, rewards: RewardComponent) -> dict[str, Any]:
    """Per reward function: mean/min of the gold answers' scores, and (correctness) those below maximum."""
    completions = [prompt.format_answer(answer) for answer in split["answer"]]
    columns = {name: split[name] for name in split.column_names if name != "prompt"}
    results = {}
    for function in rewards.functions:
        scores = function(prompts=split["prompt"], completions=completions, **columns)
        valid = [s for s in scores if s is not None]
        result: dict[str, Any] = {
            "mean": sum(valid) / len(valid) if valid else None,
            "min": min(valid) if valid else None,
            "unscored": len(scores) - len(valid),
        }
        maximum = correctness_maximum(function.scorer, function.params)
        if maximum is not None:
            # A reward routed to some tasks (several tasks in one run) answers for their rows only.
            tasks = columns.get("task") or [None] * len(scores)
            mine = [not function.tasks or task in function.tasks for task in tasks]
            below = [i for i, s in enumerate(scores) if mine[i] and (s is None or s < maximum - 1e-9)]
            result |= {
                "maximum": maximum,
                "below_maximum": len(below),
                "examples_below_maximum": [
                    {"gold_completion": completions[i], "score": scores[i]} for i in below[:FAILURES_SHOWN]
                ],
            }
        results[function.name] = result
    return results


def _tokenizer_or_reason(cfg: DictConfig) -> tuple[Any, str | None]:
    """The model's tokenizer, or (None, why) when it cannot be loaded (e.g. a hub id while offline):
    the check still verifies data and rewards, and says plainly that token statistics were skipped."""
    try:
        return build(cfg.model).load_tokenizer(), None
    except (OSError, ValueError) as err:
        warn(f"check: tokenizer unavailable, prompt-token statistics skipped: {err}")
        return None, str(err).splitlines()[0]


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Run the pre-flight check; exit with status 1 when a correctness reward misses a gold answer."""
    config = run_dir.write_config(cfg)
    prompt = build(cfg.prompts)
    tokenizer, tokenizer_problem = _tokenizer_or_reason(cfg)
    data = build(cfg.data).load(prompt, tokenizer)
    write_manifest(run_dir, config, data.info)
    rewards = build(cfg.reward)
    splits = {
        name: split for name, split in (("train", data.train), ("eval", data.eval)) if split is not None
    }
    for row in data.train.select(range(min(EXAMPLES_SHOWN, len(data.train)))):
        shown = render_prompt(row["prompt"], tokenizer) if tokenizer is not None else row["prompt"]
        say(f"check: rendered prompt (gold answer {row['answer']!r}):\n{shown}")
    report: dict[str, Any] = {
        "data": data.info,
        "gold_rewards": {n: score_gold(s, prompt, rewards) for n, s in splits.items()},
    }
    if tokenizer_problem:
        report["tokenizer"] = f"unavailable, prompt-token statistics skipped: {tokenizer_problem}"
    problems = dropped_split_problems(data.info) + [
        f"{split}: {name} gives {r['below_maximum']} gold answer(s) less than its maximum {r['maximum']}"
        for split, per_function in report["gold_rewards"].items()
        for name, r in per_function.items()
        if r.get("below_maximum")
    ]
    report |= {"passed": not problems, "problems": problems}
    path = run_dir.write_json("check_report.json", report)
    print(path.read_text(encoding="utf-8"), end="")
    if problems:
        raise CheckFailed("check FAILED:\n  - " + "\n  - ".join(problems))
    say(f"check passed: {path}")
    return report


def dropped_split_problems(info: dict[str, Any]) -> list[str]:
    """A split that had rows and lost every one of them (a check must not pass with nothing to evaluate)."""
    problems = []
    for split, counts in (info.get("splits") or {}).items():
        dropped = {k.removeprefix("dropped_"): v for k, v in counts.items() if k.startswith("dropped_") and v}
        if counts.get("rows") == 0 and dropped:
            reasons = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in dropped.items())
            problems.append(f"{split}: every row was dropped ({reasons}), so nothing is left to use")
    return problems
