"""Why a local model did not load, said from its files: looked at only after a load failed (no cost when
it works).

transformers reports a local directory without ``config.json``, a broken ``config.json`` and a random
file the same way it reports a hub id it cannot reach ("…couldn't connect to huggingface.co…"), and a
truncated GGUF or safetensors file with a bare ``struct.error`` or ``SafetensorError``. The files say
what is wrong: an empty directory, a tokenizer without the model, a config that is not JSON, a file
that is not GGUF, a weights file cut short. :func:`load_error` is the one message both model loaders
(``HFModel``, ``UnslothModel``) raise for a failed load.
"""

from __future__ import annotations

from pathlib import Path

from rlvr.errors import ModelError
from rlvr.file_checks import archive_problem, json_problem, safetensors_problem
from rlvr.paths import is_package_path, resolve_path

WEIGHTS = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


def looks_local(name: str) -> bool:
    """Whether ``model.model_name_or_path`` names a local path (checked on disk) rather than a hub id."""
    return is_package_path(name) or name.endswith(".gguf") or name.startswith(("/", ".", "~"))


def load_error(name: str, what: str, err: Exception, weights: bool, gguf: bool = True) -> ModelError | None:
    """A failed load of ``what`` (``model``, ``the tokenizer of``) from ``name`` as one ModelError, the same
    for every loader: a local path is diagnosed from its files, a hub id that cannot be fetched (an
    OSError) says "Offline?". None for anything else (out of memory, a bug): the caller re-raises it as
    it is. ``gguf`` says whether the loader reads ``.gguf`` files, so the fix offers one."""
    if "out of memory" in str(err).lower():
        return None
    if looks_local(name):
        path = resolve_path(name)
        problem = local_model_problem(path, weights) or unreadable(path, err)
        return ModelError(
            f"could not load {what} {name!r}: {problem}. Fix: point model.model_name_or_path at a directory "
            f"with config.json, the tokenizer and the weights{', or at a .gguf file' if gguf else ''} "
            "(download it again if it was cut short)"
        )
    if isinstance(err, OSError):
        return ModelError(
            f"could not load {what} {name!r}: {str(err).splitlines()[0].rstrip('.')}. Offline? Set "
            f"model.model_name_or_path to a local directory{' or .gguf file' if gguf else ''}."
        )
    return None


def local_model_problem(path: Path, weights: bool) -> str | None:
    """What is wrong with the files at ``path`` (a directory or a ``.gguf`` file), or None when nothing
    visible is; ``weights`` says whether the weights are needed too (not for the tokenizer alone)."""
    if path.is_file():
        return gguf_problem(path) if path.suffix == ".gguf" else f"{path.name} is a file but not a .gguf file"
    if not path.is_dir():
        return f"{path} does not exist"
    names = sorted(p.name for p in path.iterdir())
    if not names:
        return "it is an empty directory"
    if "config.json" not in names:
        return f"it has no config.json (it holds {', '.join(names[:6])}{', …' if len(names) > 6 else ''})"
    if problem := json_problem(path / "config.json"):
        return problem
    if not weights:
        return None
    found = [path / name for name in names if name in WEIGHTS or name.endswith(".safetensors")]
    if not found:
        return f"it has no weights ({' or '.join(WEIGHTS[::2])})"
    for file in found:
        if file.suffix == ".safetensors" and (problem := safetensors_problem(file)):
            return problem
        if file.suffix == ".bin" and (problem := archive_problem(file)):
            return problem
        if file.name.endswith(".index.json") and (problem := json_problem(file)):
            return problem
    return None


def gguf_problem(path: Path) -> str | None:
    """A ``.gguf`` file that does not start like one, or is too short to hold its own header."""
    with path.open("rb") as handle:
        head = handle.read(24)
    if head[:4] != b"GGUF":
        return f"{path.name} is not a GGUF file (it does not start with the GGUF magic bytes)"
    if len(head) < 24:
        return f"{path.name} is cut short ({path.stat().st_size} bytes)"
    return None


def unreadable(path: Path, err: BaseException) -> str:
    """The loader's own error when the files show nothing wrong; a GGUF file is then likely cut short."""
    lines = str(err).strip().splitlines()
    kind = "struct.error" if type(err).__name__ == "error" else type(err).__name__
    reason = f"{kind}: {lines[0][:200]}" if lines else kind
    if path.is_file() and path.suffix == ".gguf":
        return f"{path.name} could not be read as GGUF ({reason}); it may be cut short ({path.stat().st_size:,} bytes)"
    return reason
