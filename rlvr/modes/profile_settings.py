"""``profile.*``: the settings of ``mode=profile``, typed here and checked at validation (before torch loads).

The node's keys are this dataclass's fields (:class:`rlvr.config.settings.Settings`), so validation binds
them like a component's (:func:`rlvr.modes.profile.input_issues`): an unknown key gets the closest
field, a value that breaks its annotation (type or bound) the rule and an example. No rule relates two keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast


@dataclass(frozen=True)
class ProfileSettings(Settings):
    """How ``mode=profile`` samples each training problem."""

    #: Completions sampled per problem: the pass rate's denominator.
    samples: Annotated[int, AtLeast(1)] = 8
    #: Problems profiled: a seeded random subset of the train split; None = all of it.
    max_rows: Annotated[int, AtLeast(1)] | None = None
    #: Sampling temperature (the config's default is the rollouts' own, ``train.temperature``); a pass rate
    #: needs sampled completions (greedy is one answer per problem).
    temperature: Annotated[float, AtLeast(0, strict=True, note="a pass rate needs sampled completions")] = 1.0
    #: Longest completion in tokens (default: the rollouts' ``train.max_completion_length``).
    max_new_tokens: Annotated[int, AtLeast(1)] = 512
    #: Completions generated per call (problems x samples).
    batch_size: Annotated[int, AtLeast(1)] = 64
