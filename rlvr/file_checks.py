"""Is a file whole? Cheap checks of the formats a run reads back (a few bytes read, never the tensors).

Shared by the checkpoint completeness check (:mod:`rlvr.training.checkpoints`) and the model loader's
diagnosis of a local model that failed to load (:mod:`rlvr.models.files`).
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path


def safetensors_problem(path: Path) -> str | None:
    """Whether a safetensors file is whole: its header parses and its tensors end where the file ends."""
    try:
        with path.open("rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(length))
        end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
        if path.stat().st_size == 8 + length + end:
            return None
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        pass
    return f"{path.name} is truncated or corrupt"


def archive_problem(path: Path) -> str | None:
    """Whether a ``torch.save`` file is whole: its zip directory (written last) is there."""
    return None if zipfile.is_zipfile(path) else f"{path.name} is truncated or corrupt"


def json_problem(path: Path) -> str | None:
    """Whether a JSON file parses; the parser's line and message when it does not."""
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        return f"{path.name} is not valid JSON (line {err.lineno}: {err.msg})"
    except (OSError, UnicodeDecodeError) as err:
        return f"{path.name} cannot be read ({err})"
    return None
