"""The SDPA mask guard (``rlvr/rollout/attention_mask.py``): left-padded rows never attend to nothing, and
real tokens see exactly what they saw before."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from rlvr.models.hf import HFModel  # noqa: E402
from rlvr.rollout.attention_mask import guard_empty_attention_rows, unmask_empty_rows  # noqa: E402


def _original_sdpa_mask():
    from transformers.masking_utils import sdpa_mask

    return sdpa_mask


def _registered_sdpa_mask():
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS

    return ALL_MASK_ATTENTION_FUNCTIONS["sdpa"]


def test_only_all_false_rows_change() -> None:
    mask = torch.tensor([[[[False, False, False], [True, False, False], [True, True, False]]]])
    fixed = unmask_empty_rows(mask)
    assert fixed.tolist() == [[[[True, True, True], [True, False, False], [True, True, False]]]]
    assert unmask_empty_rows(None) is None
    additive = torch.zeros(1, 1, 2, 2)
    assert unmask_empty_rows(additive) is additive


def test_left_padded_mask_has_no_empty_row_and_real_rows_are_unchanged() -> None:
    guard_empty_attention_rows()
    padding = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=torch.bool)
    kwargs = {"batch_size": 2, "q_length": 5, "kv_length": 5, "attention_mask": padding}
    before = _original_sdpa_mask()(**kwargs)
    after = _registered_sdpa_mask()(**kwargs)
    assert not bool(before[0, 0, :2].any()), "the padded queries of row 0 attend to nothing without the guard"
    assert bool(after.any(dim=-1).all()), "with the guard every query attends to something"
    assert torch.equal(after[0, 0, 2:], before[0, 0, 2:])  # real queries of the padded row
    assert torch.equal(after[1], before[1])  # the row without padding


def test_installing_twice_wraps_once() -> None:
    guard_empty_attention_rows()
    first = _registered_sdpa_mask()
    guard_empty_attention_rows()
    assert _registered_sdpa_mask() is first


def test_loading_a_model_installs_the_guard_and_padded_logits_match_unpadded(tiny_model_dir: Path) -> None:
    loaded = HFModel(str(tiny_model_dir), dtype="float32", lora={"enabled": False}).load()
    assert getattr(_registered_sdpa_mask(), "_rlvr_no_empty_rows", False)
    model = loaded.model.eval()
    assert model.config._attn_implementation == "sdpa"
    short, long = [5, 6, 7], [8, 9, 10, 11, 12, 13]
    ids = torch.tensor([[0, 0, 0, *short], long])
    mask = torch.tensor([[0, 0, 0, 1, 1, 1], [1] * 6])
    positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
    with torch.no_grad():
        padded = model(input_ids=ids, attention_mask=mask, position_ids=positions).logits
        alone = model(input_ids=torch.tensor([short])).logits
    assert torch.isfinite(padded).all()
    torch.testing.assert_close(padded[0, 3:], alone[0], rtol=1e-5, atol=1e-5)
