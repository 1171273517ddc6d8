"""The docs describe the code as it is: ARCHITECTURE.md's interface tables match ``rlvr/interfaces.py``
member for member (and argument for argument), every path it names exists, and the README's table of
run outputs lists every file :data:`rlvr.run_dir.FILES` names.

The tables are what a newcomer reads instead of the code; a renamed method or a new protocol member
that the tables miss would send them wrong, so a difference in either direction fails here.
"""

from __future__ import annotations

import ast
import re

import pytest

from rlvr.run_dir import FILES
from tests.conftest import ROOT

DOC = (ROOT / "ARCHITECTURE.md").read_text()
_ROW = re.compile(r"^\| `(\w+)` \| (.+?) \| .+ \|$", re.M)
_MEMBER = re.compile(r"`(\w+)(?:\(([^)]*)\))?`")


def documented(doc: str = DOC) -> dict[str, dict[str, list[str] | None]]:
    """``{class: {member: argument names, or None for an attribute}}`` from the doc's tables."""
    tables = {}
    for name, members in _ROW.findall(doc):
        tables[name] = {
            member: None if args is None and "(" not in text else _arg_names(args)
            for text, member, args in (
                (m.group(0), m.group(1), m.group(2)) for m in _MEMBER.finditer(members)
            )
        }
    return tables


def _arg_names(args: str | None) -> list[str]:
    return [a.split("=")[0].strip().lstrip("*") for a in (args or "").split(",") if a.strip()]


def declared() -> dict[str, dict[str, list[str] | None]]:
    """The same shape, read from interfaces.py: fields/attributes map to None, methods to their args."""
    tree = ast.parse((ROOT / "rlvr" / "interfaces.py").read_text())
    classes = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        members: dict[str, list[str] | None] = {}
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                members[item.target.id] = None
            elif isinstance(item, ast.FunctionDef):
                args = item.args
                names = [a.arg for a in args.args[1:]] + [a.arg for a in args.kwonlyargs]
                names += [args.kwarg.arg] if args.kwarg else []
                members[item.name] = names
        classes[node.name] = members
    return classes


def test_the_tables_name_every_value_and_role() -> None:
    assert set(documented()) == set(declared())


@pytest.mark.parametrize("name", sorted(declared()))
def test_members_and_arguments_match_the_code(name: str) -> None:
    doc, code = documented()[name], declared()[name]
    assert set(doc) == set(code), f"{name}: ARCHITECTURE.md lists {sorted(doc)}, interfaces.py {sorted(code)}"
    for member, args in doc.items():
        if args is not None and code[member] is not None:
            assert args == code[member], f"{name}.{member}: documented ({args}), declared ({code[member]})"


def test_every_path_in_where_things_live_exists() -> None:
    section = DOC.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"^\| `([\w./]+)` \|", section, re.M)
    assert len(paths) >= 10
    assert [p for p in paths if not (ROOT / p).exists()] == []


def test_the_checker_sees_a_dropped_member_and_a_renamed_argument() -> None:
    dropped = documented(DOC.replace(', `format_answer(answer, reasoning="")`', ""))
    assert set(dropped["Prompt"]) == {"answer_format", "build"} != set(declared()["Prompt"])
    renamed = documented(DOC.replace("`load(prompt, tokenizer=None)`", "`load(prompts, tokenizer=None)`"))
    assert renamed["DataComponent"]["load"] == ["prompts", "tokenizer"] != declared()["DataComponent"]["load"]


def test_readme_output_table_lists_every_run_file() -> None:
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+)`(?:, `([^`]+)`)? \|", readme, re.M))
    names = {n.removesuffix("/") for pair in listed for n in pair if n}
    expected = {name.replace("<tag>", "before") for name in FILES} | {"eval_samples_after.jsonl"}
    assert expected <= names, f"README's output table lacks {sorted(expected - names)}"
