"""One rule for secrets, applied at every sink: every file of the run dir (:class:`rlvr.run_dir.RunDir`
masks whatever it writes), the console (:mod:`rlvr.console`), the log (:func:`redact_logs`), and W&B and
TensorBoard (the observer hands them only :func:`redacting` proxies: init settings such as notes and tags,
config, metrics, tables, alarms, the summary).

    redact({"wandb": {"api_key": "abc"}, "model": {"eos_token": "<|im_end|>"}})
    # → {"wandb": {"api_key": "<redacted>"}, "model": {"eos_token": "<|im_end|>"}}

A value is hidden when its key *names* a secret (``api_key``, ``hub_token``, ``password``, ``secret``…)
or when the value *is* a secret found in the environment (``WANDB_API_KEY``, ``HF_TOKEN``, any variable
named like one), wherever it sits — so ``${oc.env:HF_TOKEN}`` in a config is caught too. A value the
run's config holds under a secret-named key is remembered (:func:`remember_secrets`) and masked wherever
else it turns up. Special-token settings (``eos_token``, ``pad_token``) and counts
(``max_prompt_tokens``) are not secrets.
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


#: Values the run's config holds under secret-named keys (see :func:`remember_secrets`).
_REMEMBERED: set[str] = set()


def env_secrets() -> list[str]:
    """Values of environment variables named like secrets, and the remembered config secrets (longest
    first, so nested ones mask whole)."""
    values = {v for k, v in os.environ.items() if is_secret_name(k) and len(v) >= _SHORTEST_SECRET}
    return sorted(values | _REMEMBERED, key=len, reverse=True)


def remember_secrets(value: Any) -> None:
    """Remember every string held under a secret-named key of ``value`` (a config as plain containers),
    so that the value is masked wherever else it appears (a W&B note, a log line)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if is_secret_name(str(key)) and isinstance(item, str) and len(item) >= _SHORTEST_SECRET:
                _REMEMBERED.add(item)
            else:
                remember_secrets(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            remember_secrets(item)


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


def redacting(target: Any) -> Any:
    """A proxy of ``target`` (an observer sink) whose methods receive every argument redacted."""
    return _Redacting(target)


class _Redacting:
    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        member = getattr(self._target, name)
        if not callable(member):
            return member

        def call(*args: Any, **kwargs: Any) -> Any:
            secrets = env_secrets()
            return member(*(redact(a, secrets) for a in args), **redact(kwargs, secrets))

        return call


def redact_logs() -> None:
    """Mask secrets in every record the root logger's handlers write (Hydra's ``run_pipeline.log`` and
    the console handler); installed once per process."""
    import logging

    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _LogRedaction) for f in handler.filters):
            handler.addFilter(_LogRedaction())


class _LogRedaction:
    """A logging filter that rewrites a record's message with secrets masked (it never drops a record)."""

    def filter(self, record: Any) -> bool:
        message = record.getMessage()
        masked = redact_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
