"""Next-token selection with the semantics of transformers' sampling, without its per-token overhead.

Same order and rules as ``generate(do_sample=True)``: temperature, then top-k, then top-p, then min-p, then
one ``torch.multinomial`` draw from the softmax — so on the same logits and the same RNG state it picks
the same tokens. Greedy is ``argmax``. Everything stays on the device: no host sync per token.

Evaluation's sampled completions use keyed draws instead (:func:`keyed_noise`): the same distribution,
but each row's tokens follow from its own key, so a problem's samples do not depend on batching or ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SamplingSettings:
    """Sampling parameters of one rollout call (TRL's names; 0 / 1.0 / None switch a filter off)."""

    max_new_tokens: int
    do_sample: bool = True
    temperature: float = 1.0
    top_k: int | None = None
    top_p: float = 1.0
    min_p: float | None = None


def next_tokens(
    logits: Any, settings: SamplingSettings, with_logprobs: bool = False, keys: Any = None, step: int = 0
) -> Any:
    """One token per row from ``logits`` (``[batch, vocab]``, any float dtype); with ``with_logprobs``,
    ``(tokens, logprobs)``: each token's log-probability under the distribution it was drawn from (after
    temperature and filters, as vLLM's "processed" log-probs), for the sampler-vs-trainer gap metric.

    ``keys`` (an int64 tensor, one per row) switches the draw from ``torch.multinomial`` on the global
    RNG to :func:`keyed_noise`: row r's token at ``step`` depends only on ``keys[r]``, ``step`` and its
    own logits — not on the other rows, the batch size or the RNG state (see :func:`keyed_noise`)."""
    import torch

    if not settings.do_sample:
        tokens = logits.argmax(dim=-1)
        return (tokens, _chosen_logprobs(logits.float(), tokens)) if with_logprobs else tokens
    scores = filtered_scores(logits, settings)
    if keys is None:
        tokens = torch.multinomial(scores.softmax(dim=-1), num_samples=1).squeeze(1)
    else:  # Gumbel-max: argmax(scores + Gumbel noise) is a draw from softmax(scores)
        tokens = (scores + keyed_noise(keys, step, scores.shape[-1])).argmax(dim=-1)
    return (tokens, _chosen_logprobs(scores, tokens)) if with_logprobs else tokens


def filtered_scores(logits: Any, settings: SamplingSettings) -> Any:
    """``logits`` in float32 after temperature, top-k, top-p and min-p (removed tokens at -inf)."""
    import torch

    scores = logits.float()
    if settings.temperature != 1.0:
        scores = scores / settings.temperature
    if settings.top_k:
        kth = torch.topk(scores, min(settings.top_k, scores.shape[-1]), dim=-1).values[..., -1:]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    if settings.top_p < 1.0:
        ordered, order = torch.sort(scores, descending=False)
        remove = ordered.softmax(dim=-1).cumsum(dim=-1) <= (1 - settings.top_p)
        remove[..., -1:] = False  # always keep the most likely token
        scores = scores.masked_fill(remove.scatter(-1, order, remove), float("-inf"))
    if settings.min_p:
        probs = scores.softmax(dim=-1)
        remove = probs < settings.min_p * probs.amax(dim=-1, keepdim=True)
        remove.scatter_(-1, probs.argmax(dim=-1, keepdim=True), False)
        scores = scores.masked_fill(remove, float("-inf"))
    return scores


#: 32-bit mixing constants (odd multipliers of a "lowbias32"-style integer hash).
_MASK = 0xFFFFFFFF
_MIX = (0x7FEB352D, 0x846CA68B)
_ROW, _STEP, _TOKEN = 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D


def keyed_noise(keys: Any, step: int, vocab: int) -> Any:
    """Standard Gumbel noise ``[rows, vocab]`` (float32) that is a pure function of (key, step, token id).

    Why: evaluation's sampled pass@k must not depend on how rows are batched or shared out over ranks
    (rank r of N evaluates rows r, r+N, …): with one random stream per batch, the same problem drew
    different completions on 1 GPU and on 4. A counter-based hash gives every (row key, step, token) its
    own uniform number, on the device, with no generator state: ``-log(-log(u))`` of it is Gumbel, and
    ``argmax(scores + noise)`` is an exact draw from ``softmax(scores)`` (the Gumbel-max trick). The hash
    has 24 bits of resolution per uniform, so the noise spans about [-2.9, 17.3]."""
    import torch

    row = _mix(((keys.to(torch.int64) & _MASK) * _ROW + step * _STEP) & _MASK)  # [rows]
    token = (torch.arange(vocab, device=keys.device, dtype=torch.int64) * _TOKEN) & _MASK  # [vocab]
    bits = _mix(row[:, None] ^ token[None, :])
    uniform = ((bits >> 8).to(torch.float32) + 0.5) / float(1 << 24)
    return -torch.log(-torch.log(uniform))


def keyed_logits_processor(keys: list[int], settings: SamplingSettings) -> Any:
    """The keyed draw for transformers' ``generate`` (greedy mode, this processor passed in
    ``logits_processor``): it returns ``filtered scores + keyed noise``, so greedy's argmax picks exactly
    the token :func:`next_tokens` picks with the same keys — the HF backend and the engine agree."""
    import torch
    from transformers import LogitsProcessor

    class KeyedSampling(LogitsProcessor):
        def __init__(self) -> None:
            self.start: int | None = None
            self.keys: Any = None

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            if self.start is None:  # the first call sees the prompt alone: step 0
                self.start = input_ids.shape[1]
                self.keys = torch.tensor(keys, dtype=torch.int64, device=scores.device)
            step = input_ids.shape[1] - self.start
            filtered = filtered_scores(scores, settings)
            return filtered + keyed_noise(self.keys, step, filtered.shape[-1])

    return KeyedSampling()


def row_key(seed: int, *parts: int) -> int:
    """A 31-bit key for one sampled row from ``seed`` and its identity (e.g. problem index, sample
    number): the same numbers always give the same key, wherever and in whatever batch the row runs."""
    key = seed & _MASK
    for part in parts:
        key = _mix(key ^ ((part * _ROW) & _MASK))
    return key & 0x7FFFFFFF


def _mix(x: Any) -> Any:
    """The 32-bit integer hash of a Python int or an int64 tensor (elementwise), the same numbers for
    both: each product is masked to its low 32 bits, which an int64 overflow leaves exact."""
    x = x ^ (x >> 16)
    x = (x * _MIX[0]) & _MASK
    x = x ^ (x >> 15)
    x = (x * _MIX[1]) & _MASK
    return x ^ (x >> 16)


def _chosen_logprobs(scores: Any, tokens: Any) -> Any:
    return scores.log_softmax(dim=-1).gather(-1, tokens[:, None]).squeeze(1)
