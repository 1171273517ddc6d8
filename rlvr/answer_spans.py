"""Where a completion writes its answer: boxes, answer tags, math spans, and runs of several at once.

    >>> final_boxes("so \\\\boxed{-2} \\\\text{ and } \\\\boxed{1}.")
    '-2, 1'
    >>> final_boxes("\\\\boxed{3}. Wait, that is wrong: \\\\boxed{4}")
    '4'
    >>> last_math_span("The domain is $(1, +\\\\infty)$.")
    '(1, +\\\\infty)'

Each finder returns the *last* occurrence, joined with the occurrences right before it that only list
connectors separate from it (whitespace, punctuation, ``$``, "and", "or", ``\\text{ and }``). Several
different answers in a row are one statement of several values: ``\\boxed{-2} and \\boxed{1}`` reads
``-2, 1``, which matches a gold with two values and, for a gold with one value, is a hedge that reads as
no number. An earlier answer followed by more reasoning is a correction, and only the last one counts.
Repeats of one answer collapse to it. Every scan is linear in the text (completions are adversarial).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: At most this many answers in a row are joined (a longer run is a hedge all the same).
MAX_GROUP = 16
_MAX_GAP = 80
_CONNECTOR_RE = re.compile(
    r"(?:\s|[$,;.&*]|\\[()\[\]]|\\q?quad\b|\\text\s*\{\s*(?:or|and)?\s*\}|\bor\b|\band\b)*", re.I
)
_BOXED_OPEN_RE = re.compile(r"\\boxed\s*(?:(\{)|\s([^\s$]+))")
_MATH_DELIMITER_RE = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|(?<!\\)\$")
_CLOSERS = {"$$": "$$", "\\(": "\\)", "\\[": "\\]", "$": "$"}
_DIGIT_AFTER_RE = re.compile(r"[ \t]?\d")

#: ``(start, end, content)`` of one answer occurrence in the text.
Occurrence = tuple[int, int, str]


def joined(spans: Sequence[str]) -> str | None:
    """The distinct non-empty spans in order, joined by ``", "``; None when there is none."""
    seen: set[str] = set()
    kept = []
    for span in spans:
        span = span.strip()
        key = span.rstrip(". ")
        if key and key not in seen:
            seen.add(key)
            kept.append(span)
    return ", ".join(kept) if kept else None


def trailing_group(text: str, occurrences: Sequence[Occurrence]) -> str | None:
    """The last occurrence joined with the ones before it that only list connectors separate from it."""
    if len(occurrences) < 2:  # the common case: one answer, or none
        return (occurrences[0][2].strip() or None) if occurrences else None
    first = len(occurrences) - 1
    while first > 0 and len(occurrences) - first < MAX_GROUP:
        gap_start, gap_end = occurrences[first - 1][1], occurrences[first][0]
        if not 0 <= gap_end - gap_start <= _MAX_GAP:
            break
        if not _CONNECTOR_RE.fullmatch(text, gap_start, gap_end):
            break
        first -= 1
    return joined([content for _, _, content in occurrences[first:]])


def box_at(text: str, start: int) -> tuple[str, int] | None:
    """The content of the ``\\boxed`` at ``start`` (nested braces kept) and the index after it."""
    opening = _BOXED_OPEN_RE.match(text, start)
    if opening is None:
        return None
    if not opening.group(1):  # "\boxed 5": the token after a space
        return opening.group(2), opening.end()
    depth = 0
    for i in range(opening.end(1) - 1, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[opening.end(1) : i], i + 1
    return None


def trailing_boxes(text: str) -> list[Occurrence]:
    """The last ``\\boxed{}`` and up to :data:`MAX_GROUP` boxes before it, in order; none when the last
    one is unclosed (a truncated answer is no answer). A box inside another ends the scan."""
    found: list[Occurrence] = []
    position = text.rfind("\\boxed")
    while position >= 0 and len(found) < MAX_GROUP:
        box = box_at(text, position)
        if box is None or (found and box[1] > found[-1][0]):
            break
        found.append((position, box[1], box[0]))
        position = text.rfind("\\boxed", 0, position)
    return found[::-1]


def final_boxes(text: str) -> str | None:
    """The answer the boxes state: the last box, with the boxes listed right before it."""
    return trailing_group(text, trailing_boxes(text))


def final_answer_tags(text: str) -> str | None:
    """The content of the last ``<answer>…</answer>`` (any case), with the tags listed right before it."""
    lowered = text.lower()  # rfind, not a lazy regex: findall on thousands of unclosed tags is quadratic
    found: list[Occurrence] = []
    end = lowered.rfind("</answer>")
    while end >= 0 and len(found) < MAX_GROUP:
        start = lowered.rfind("<answer>", 0, end)
        if start < 0:
            break
        found.append((start, end + len("</answer>"), text[start + len("<answer>") : end]))
        end = lowered.rfind("</answer>", 0, start)
    return trailing_group(text, found[::-1])


def math_spans(text: str) -> list[Occurrence]:
    """Every complete math span: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``, content stripped.

    A single ``$`` follows Pandoc's rule, since prose uses it for money: a ``$`` right before a
    non-space character closes only a ``$`` right after one (``$x$``), and a spaced ``$ x $`` closes
    only spaced; a closing ``$`` is never right before a number ("costs $5 and $6" holds no math)."""
    spans: list[Occurrence] = []
    opening: re.Match[str] | None = None
    for token in _MATH_DELIMITER_RE.finditer(text):
        mark = token.group()
        if opening is None:
            if mark in _CLOSERS:
                opening = token
            continue
        if mark != _CLOSERS[opening.group()]:
            continue
        if mark == "$" and not _closes_inline(text, opening.end(), token.start(), token.end()):
            continue
        content = text[opening.end() : token.start()]
        if content.strip() and not (mark == "$" and "\n\n" in content):
            spans.append((opening.start(), token.end(), content.strip()))
        opening = None
    return spans


def _closes_inline(text: str, opened: int, start: int, end: int) -> bool:
    spaced = not text[opened : opened + 1].strip()
    return (not text[start - 1 : start].strip()) == spaced and _DIGIT_AFTER_RE.match(text, end) is None


def last_math_span(text: str) -> str | None:
    """The last math span's content, with the math spans listed right before it (``$1$ and $-2$``)."""
    return trailing_group(text, math_spans(text))
