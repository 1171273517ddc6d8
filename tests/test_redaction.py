"""One redaction at every sink: run-dir files, the console, the log, and the backends' proxies."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from omegaconf import OmegaConf

from rlvr import console, redaction
from rlvr.redaction import MASK, redact_logs, redacting
from rlvr.run_dir import RunDir

ENV_SECRET = "hf_sinksecretABCDEFGH"
CONFIG_SECRET = "db-password-for-the-sinks"


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", ENV_SECRET)
    monkeypatch.setattr(redaction, "_REMEMBERED", set())  # this test's config secrets only


def test_every_run_dir_write_is_masked_and_config_secrets_are_remembered(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.write_config(OmegaConf.create({"db": {"password": CONFIG_SECRET}}))
    run_dir.write_json("status.json", {"error": f"failed with {ENV_SECRET} and {CONFIG_SECRET}"})
    run_dir.append_jsonl("metrics.jsonl", {"note": CONFIG_SECRET})
    run_dir.write_text("summary.md", f"| notes | {ENV_SECRET} |")
    texts = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert [name for name, text in texts.items() if ENV_SECRET in text or CONFIG_SECRET in text] == []
    assert texts["status.json"].count(MASK) == 2 and MASK in texts["metrics.jsonl"]


def test_console_lines_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    console.say(f"token {ENV_SECRET}")
    console.error(f"token {ENV_SECRET}")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (f"rlvr: token {MASK}\n", f"rlvr: token {MASK}\n")


def test_log_records_are_masked() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        redact_logs()
        redact_logs()  # once per process: a second call adds no second filter
        logging.getLogger("some.library").warning("requesting https://x/?token=%s", ENV_SECRET)
    finally:
        root.removeHandler(handler)
    assert stream.getvalue() == f"requesting https://x/?token={MASK}\n"
    assert len(handler.filters) == 1


def test_a_backend_sees_only_masked_arguments() -> None:
    seen: list[Any] = []

    class Sink:
        mode = "offline"

        def log(self, metrics: dict[str, Any], step: int) -> None:
            seen.append((metrics, step))

        def alarm(self, name: str, message: str, step: int) -> None:
            seen.append((name, message, step))

    sink = redacting(Sink())
    sink.log({"loss": 0.5, "notes": ENV_SECRET, "api_key": "visible-by-name"}, step=3)
    sink.alarm("reward", f"reward low; token {ENV_SECRET}", 4)
    assert sink.mode == "offline"  # attributes pass through
    assert seen == [
        ({"loss": 0.5, "notes": MASK, "api_key": MASK}, 3),
        ("reward", f"reward low; token {MASK}", 4),
    ]
