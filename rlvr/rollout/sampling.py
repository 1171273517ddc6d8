"""Next-token selection with the semantics of transformers' sampling, without its per-token overhead.

Same order and rules as ``generate(do_sample=True)``: temperature, then top-k, then top-p, then min-p, then
one ``torch.multinomial`` draw from the softmax — so on the same logits and the same RNG state it picks
the same tokens. Greedy is ``argmax``. Everything stays on the device: no host sync per token.
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


def next_tokens(logits: Any, settings: SamplingSettings, with_logprobs: bool = False) -> Any:
    """One token per row from ``logits`` (``[batch, vocab]``, any float dtype); with ``with_logprobs``,
    ``(tokens, logprobs)``: each token's log-probability under the distribution it was drawn from (after
    temperature and filters, as vLLM's "processed" log-probs), for the sampler-vs-trainer gap metric."""
    import torch

    if not settings.do_sample:
        tokens = logits.argmax(dim=-1)
        return (tokens, _chosen_logprobs(logits.float(), tokens)) if with_logprobs else tokens
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
    tokens = torch.multinomial(scores.softmax(dim=-1), num_samples=1).squeeze(1)
    return (tokens, _chosen_logprobs(scores, tokens)) if with_logprobs else tokens


def _chosen_logprobs(scores: Any, tokens: Any) -> Any:
    return scores.log_softmax(dim=-1).gather(-1, tokens[:, None]).squeeze(1)
