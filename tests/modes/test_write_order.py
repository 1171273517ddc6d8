"""A full disk at the final save: the eval report is already on disk, and the error says what is saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.errors import OutputError
from tests.modes.test_train import tiny_run_config


@pytest.mark.slow
def test_failed_model_save_keeps_the_report(tiny_model_dir: Path, tmp_path: Path, monkeypatch) -> None:
    from transformers import Trainer

    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Trainer, "save_model", disk_full)
    with pytest.raises(OutputError) as caught:
        run(tiny_run_config(tiny_model_dir), RunDir(tmp_path))
    message = str(caught.value)
    assert message.startswith(
        f"could not write {tmp_path / 'final_model'} (OSError: No space left on device; "
    )
    assert "eval_report.json" in message and "metrics.jsonl" in message
    report = json.loads((tmp_path / "eval_report.json").read_text())
    assert report["after"]["total"] == 2 and "final_model" not in report  # accuracy kept, no false claim
    assert caught.value.exit_code == 7
