"""The per-key reference tables of CONFIGURATION_GUIDE.md, generated from the YAML files and their comments.

    python -m rlvr.config.reference conf/evaluation_component/default.yaml     # print one table
    python -m rlvr.config.reference --check                                    # is the guide current?
    python -m rlvr.config.reference --write                                    # rewrite its tables

Every key in ``conf/`` has a comment directly above it (``tests/test_yaml_comments.py``), so the YAML is
already the reference; a hand-kept table beside it only drifts. The guide marks each table it shows with
the file (and optionally the part of it) the table comes from::

    <!-- keys: conf/training_loop_component/default.yaml skip=rollout,dynamic_sampling -->
    | key | default | meaning |
    ...
    <!-- /keys -->

One row per key, nested keys dotted (``lora.r``, ``sinks.wandb.mode``), list entries that are components
indexed as on the command line (``reward_functions[0].params.correct_reward``). A mapping gets a row of its
own (its comment, no default) before its keys. Defaults are shown as the YAML writes them, interpolations
included (``${train.temperature}``): the value a key takes depends on the run, the spelling does not.
``only=<key>,<key>`` keeps those subtrees, ``skip=<key>,<key>`` drops subtrees; the ``defaults`` list (Hydra's
composition order) is never a row. Reads YAML text only: no Hydra, no torch.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "CONFIGURATION_GUIDE.md"
#: ``<!-- keys: <file> [only=<key>,<key>] [skip=<key>,<key>] -->`` … ``<!-- /keys -->``
BLOCK = re.compile(r"(?P<open><!-- keys: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(?P<close><!-- /keys -->)", re.S)
#: Longest default shown in a cell; a multi-line prompt text is cut with an ellipsis.
MAX_DEFAULT = 60
FIX = "python -m rlvr.config.reference --write"


@dataclass(frozen=True)
class Row:
    """One key of a YAML file: its dotted name, its value as written ('' for a mapping) and its comment."""

    key: str
    default: str
    meaning: str


def rows(text: str) -> list[Row]:
    """Every documented key of a YAML text, in file order."""
    lines = text.splitlines()
    root = yaml.compose(text)
    return _rows(root, "", lines, text) if isinstance(root, yaml.MappingNode) else []


def _rows(node: yaml.Node, prefix: str, lines: list[str], text: str) -> list[Row]:
    found: list[Row] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "defaults" and not prefix:
                continue  # Hydra's composition order, explained by the file's header
            name = f"{prefix}.{key.value}" if prefix else str(key.value)
            meaning = _comment_above(lines, key.start_mark.line)
            if isinstance(value, yaml.MappingNode) and value.value and not value.flow_style:
                found.append(Row(name, "", meaning))
                found += _rows(value, name, lines, text)
            elif _is_component_list(value):
                found.append(Row(name, "", meaning))
                for i, item in enumerate(value.value):  # the entry's comment is its first key's
                    found += _rows(item, f"{name}[{i}]", lines, text)
            else:
                found.append(Row(name, _as_written(value, text), meaning))
    return found


def _is_component_list(node: yaml.Node) -> bool:
    """A block list of ``_target_`` entries (reward functions): each entry's keys get rows of their own."""
    return (
        isinstance(node, yaml.SequenceNode)
        and not node.flow_style
        and bool(node.value)
        and all(
            isinstance(i, yaml.MappingNode) and any(k.value == "_target_" for k, _ in i.value)
            for i in node.value
        )
    )


def _comment_above(lines: list[str], line: int) -> str:
    """The comment lines directly above ``line`` (0-based), joined into one sentence."""
    parts: list[str] = []
    for above in reversed(lines[:line]):
        stripped = above.strip()
        if not stripped.startswith("#") or stripped.startswith("# @package"):
            break
        parts.insert(0, stripped.lstrip("#").strip())
    return " ".join(p for p in parts if p)


def _as_written(node: yaml.Node, text: str) -> str:
    """A value as the file spells it: a scalar or flow list verbatim, a block list in flow style, a long
    text (a prompt) cut to its start."""
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        shown = node.value
    elif isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        shown = text[node.start_mark.index : node.end_mark.index]
    else:
        value = yaml.safe_load(yaml.serialize(node))
        shown = yaml.safe_dump(value, default_flow_style=True, width=1 << 16)
    shown = " ".join(shown.split())
    if isinstance(node, yaml.ScalarNode) and len(shown) > MAX_DEFAULT:
        shown = shown[: MAX_DEFAULT - 1].rstrip() + "…"
    return shown


def select(found: list[Row], only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[Row]:
    """The rows under the keys in ``only`` (all when empty) without the subtrees in ``skip``."""

    def under(key: str, top: str) -> bool:
        return key == top or key.startswith((f"{top}.", f"{top}["))

    return [
        r
        for r in found
        if (not only or any(under(r.key, o) for o in only)) and not any(under(r.key, s) for s in skip)
    ]


def table(found: list[Row]) -> str:
    """A markdown table ``| key | default | meaning |`` of the rows."""
    out = ["| key | default | meaning |", "|---|---|---|"]
    for row in found:
        default = f"`{_cell(row.default, code=True)}`" if row.default else ""
        out.append(f"| `{_cell(row.key, code=True)}` | {default} | {_cell(row.meaning)} |")
    return "\n".join(out) + "\n"


def _cell(text: str, code: bool = False) -> str:
    """Text safe inside a table cell: pipes escaped (inside code spans too, as GitHub renders them);
    outside code spans, ``<name>`` and emphasis marks (``_target_``, ``*``) shown as typed."""
    text = text.replace("|", "\\|")
    if code:
        return text.replace("`", "'")
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # the even parts lie outside code spans
        parts[i] = re.sub(r"(?<![A-Za-z0-9])_|\*", lambda m: "\\" + m[0], parts[i]).replace("<", "&lt;")
    return "`".join(parts)


def render(spec: str, root: Path = ROOT) -> str:
    """The table a block's spec names: ``<file> [only=<key>,<key>] [skip=<key>,<key>]``."""
    words = spec.split()
    if not words:
        raise ValueError("a keys block names no YAML file")
    options = dict(w.split("=", 1) for w in words[1:])
    unknown = set(options) - {"only", "skip"}
    if unknown:
        raise ValueError(f"keys block '{spec}': unknown option(s) {sorted(unknown)}; use only= and skip=")
    found = rows((root / words[0]).read_text(encoding="utf-8"))
    only, skip = (tuple(k for k in options.get(o, "").split(",") if k) for o in ("only", "skip"))
    chosen = select(found, only, skip)
    if not chosen:
        raise ValueError(f"keys block '{spec}': no keys selected")
    return table(chosen)


def regenerate(doc: str, root: Path = ROOT) -> str:
    """``doc`` with every keys block's body replaced by its table as the YAML says today."""
    return BLOCK.sub(lambda m: m["open"] + render(m["spec"], root) + m["close"], doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rlvr.config.reference", description=__doc__.split("\n")[0]
    )
    parser.add_argument("yaml", nargs="?", help="print the table of this file (relative to the repo root)")
    parser.add_argument("--only", help="only these keys' subtrees (comma-separated)")
    parser.add_argument("--skip", default="", help="leave out these keys' subtrees (comma-separated)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the guide's tables are not current")
    parser.add_argument("--write", action="store_true", help="rewrite the guide's tables in place")
    parser.add_argument("--guide", type=Path, default=GUIDE, help="the markdown file (default: the guide)")
    args = parser.parse_args(argv)
    if args.yaml:
        spec = " ".join(
            [args.yaml]
            + ([f"only={args.only}"] if args.only else [])
            + [f"skip={args.skip}"] * bool(args.skip)
        )
        sys.stdout.write(render(spec))
        return 0
    old = args.guide.read_text(encoding="utf-8")
    new = regenerate(old)
    if args.write:
        if new != old:
            args.guide.write_text(new, encoding="utf-8")
        print(
            f"{args.guide.name}: {len(BLOCK.findall(new))} tables, {'rewritten' if new != old else 'already current'}"
        )
        return 0
    if new != old:
        diff = difflib.unified_diff(
            old.splitlines(), new.splitlines(), "guide", "from conf/", lineterm="", n=0
        )
        print("\n".join(diff))
        print(f"{args.guide.name}: key tables differ from conf/. Fix: {FIX}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
