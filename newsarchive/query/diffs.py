"""Character-level differences between two texts (Chinese has no word boundaries to diff on),
and which changes are "boring": whitespace, full- vs half-width forms, a date or editor line.

The diff is Google's diff-match-patch (Myers' algorithm with a time limit and a semantic
cleanup that keeps changed characters exact but groups them readably).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

# Seconds one diff may take before it settles for a coarser (still correct) answer.
DIFF_TIMEOUT_S = 0.1
EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_OPS = {0: EQUAL, 1: INSERT, -1: DELETE}
# A line that only dates the page or names its editor: portals rewrite these on every edit.
DATE_OR_EDITOR_LINE = re.compile(
    r"^\s*[（(\[【]?\s*(?:"
    r"(?:责任)?编辑|責任編輯|编辑|編輯|校对|校對|审核|審核|值班编辑|值班編輯|"
    r"(?:更新|发布|發布|修改|最后更新|最後更新)(?:时间|時間|于|於|日期)?|"
    r"updated|last updated|edited by|editor"
    r")\s*[:：]?.*$|"
    r"^\s*\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
    r"\s*(?:来源|來源|source)?.{0,30}$",
    re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _engine() -> Any:
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT_S
    return engine


def normalised(value: str) -> str:
    """`value` with the boring differences taken out: NFKC (full-width forms to half-width),
    no whitespace, no date or editor lines."""
    lines = [line for line in value.splitlines() if not DATE_OR_EDITOR_LINE.match(line)]
    return _SPACE.sub("", unicodedata.normalize("NFKC", "\n".join(lines)))


def is_boring(old: str, new: str) -> bool:
    """True when two texts differ only in boring ways (see normalised)."""
    return old != new and normalised(old) == normalised(new)


def _line_at(value: str, position: int) -> str:
    start = value.rfind("\n", 0, position) + 1
    end = value.find("\n", position)
    return value[start:end if end >= 0 else len(value)]


def diff(old: str, new: str) -> list[dict[str, Any]]:
    """The changes from `old` to `new` as [{"op": equal|insert|delete, "text", "boring"}].

    A change (a run of deletions and insertions between two equal stretches) is boring when
    its two sides differ only in whitespace or width, or it lies on a date or editor line.
    """
    engine = _engine()
    ops = engine.diff_main(old, new)
    engine.diff_cleanupSemantic(ops)
    out: list[dict[str, Any]] = [{"op": _OPS[op], "text": value, "boring": False}
                                 for op, value in ops]
    position_old = position_new = 0
    i = 0
    while i < len(out):
        if out[i]["op"] == EQUAL:
            position_old += len(out[i]["text"])
            position_new += len(out[i]["text"])
            i += 1
            continue
        j = i
        removed = added = ""
        while j < len(out) and out[j]["op"] != EQUAL:
            if out[j]["op"] == DELETE:
                removed += out[j]["text"]
            else:
                added += out[j]["text"]
            j += 1
        boring = (normalised(removed) == normalised(added)
                  or bool(DATE_OR_EDITOR_LINE.match(_line_at(old, position_old)))
                  and bool(DATE_OR_EDITOR_LINE.match(_line_at(new, position_new))))
        for k in range(i, j):
            out[k]["boring"] = boring
        position_old += len(removed)
        position_new += len(added)
        i = j
    return out


def counts(ops: list[dict[str, Any]], *, boring: bool = True) -> dict[str, int]:
    """Characters inserted and deleted (leaving boring changes out unless `boring`)."""
    inserted = sum(len(o["text"]) for o in ops if o["op"] == INSERT and (boring or not o["boring"]))
    deleted = sum(len(o["text"]) for o in ops if o["op"] == DELETE and (boring or not o["boring"]))
    return {"inserted": inserted, "deleted": deleted}


def similarity(old: str, new: str) -> float:
    """Share of characters the two texts have in common (1.0: identical)."""
    if not old and not new:
        return 1.0
    engine = _engine()
    ops = engine.diff_main(old, new, False)
    same = sum(len(value) for op, value in ops if op == 0)
    return round(2 * same / (len(old) + len(new)), 4)
