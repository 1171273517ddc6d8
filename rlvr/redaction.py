"""One rule for secrets: what a run writes (config snapshots, the manifest, W&B config) passes through here.

    redact({"wandb": {"api_key": "abc"}, "model": {"eos_token": "<|im_end|>"}})
    # → {"wandb": {"api_key": "<redacted>"}, "model": {"eos_token": "<|im_end|>"}}

A value is hidden when its key *names* a secret (``api_key``, ``hub_token``, ``password``, ``secret``…)
or when the value *is* a secret found in the environment (``WANDB_API_KEY``, ``HF_TOKEN``, any variable
named like one), wherever it sits — so ``${oc.env:HF_TOKEN}`` in a config is caught too. Special-token
settings (``eos_token``, ``pad_token``) and counts (``max_prompt_tokens``) are not secrets.
"""

from __future__ import annotations

import os
import re
from typing import Any

MASK = "<redacted>"
_SECRET_NAME = re.compile(
    r"(?i)(password|passwd|secret|credential|(^|[_.-])(api|access|private|auth|wandb|hf|encryption)[_-]?key$"
    r"|(^|[_.-])token$|^key$)"
)
_NOT_SECRET = re.compile(r"(?i)(^|[_.-])(bos|eos|pad|unk|sep|cls|mask|im_end|im_start)_token$")
_SHORTEST_SECRET = 8  # env values shorter than this are too generic to scrub from text


def is_secret_name(name: str) -> bool:
    """Whether a config key or environment variable name says its value is a credential."""
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def env_secrets() -> list[str]:
    """Values of environment variables named like secrets (longest first, so nested ones mask whole)."""
    values = {v for k, v in os.environ.items() if is_secret_name(k) and len(v) >= _SHORTEST_SECRET}
    return sorted(values, key=len, reverse=True)


def redact(value: Any, secrets: list[str] | None = None) -> Any:
    """A copy of ``value`` (dicts, lists, scalars) with secret-named keys and known secret values masked."""
    secrets = env_secrets() if secrets is None else secrets
    if isinstance(value, dict):
        return {
            k: MASK if is_secret_name(str(k)) and v not in (None, "") else redact(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(v, secrets) for v in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every known secret value (from the environment) replaced by the mask."""
    for secret in env_secrets() if secrets is None else secrets:
        text = text.replace(secret, MASK)
    return text


def redact_override(override: str) -> str:
    """One ``key=value`` command-line override with the value masked when the key names a secret."""
    key, sep, value = override.partition("=")
    if sep and is_secret_name(key.lstrip("+~").rsplit(".", 1)[-1]) and value:
        return f"{key}={MASK}"
    return redact_text(override)
