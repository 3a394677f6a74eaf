"""MyST directives and roles to plain Markdown, for notebooks opened outside the book.

Jupyter, JupyterLab without jupyterlab-myst, and Colab show MyST directives (```` ```{prf:theorem}
````, ```` ```{exercise} ````) as raw code blocks and roles (``{cite:p}`key```) as literal text.
The notebook copies behind the Colab and download buttons (``tools/sync_notebooks.py``) and the
student notebooks (``tools/student_edition.py``) go through :func:`plain_notebook`, which turns

* theorems, propositions, definitions, corollaries, lemmas and exercises into headed blocks
  (``**Theorem (title).**``) with their label, proofs into ``*Proof.* ... ∎``;
* solutions into collapsible ``<details>`` blocks (gated solutions into a headed block, their
  code cells following as they are);
* admonitions into headed blocks, ``{math}`` blocks into ``$$ ... $$``, list tables into
  Markdown tables;
* targets ``(label)=`` are dropped, roles become text: citations ``(key)``, cross-references by their label or text, equations
  ``(label)``, inline ``{math}`` into ``$...$``, API names into code.

Math (``$...$``, ``$$...$$``) is left untouched. ``tests/test_book_infrastructure.py`` checks
that no directive or role syntax is left in the notebooks and that the math survives.
"""

from __future__ import annotations

import re

import nbformat

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[A-Za-z0-9:_-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
_TARGET = re.compile(r"^\([A-Za-z0-9:_.-]+\)=$")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z0-9:_-]+)\}`(?P<body>[^`]*)`")

HEADED = {
    "prf:theorem": "Theorem", "prf:proposition": "Proposition", "prf:lemma": "Lemma",
    "prf:corollary": "Corollary", "prf:definition": "Definition", "prf:remark": "Remark",
    "prf:example": "Example", "prf:conjecture": "Conjecture", "prf:assumption": "Assumption",
    "prf:algorithm": "Algorithm", "prf:axiom": "Axiom", "prf:criterion": "Criterion",
    "prf:property": "Property", "prf:observation": "Observation", "exercise": "Exercise",
}
ADMONITIONS = {"note": "Note", "tip": "Tip", "hint": "Hint", "warning": "Warning",
               "important": "Important", "caution": "Caution", "attention": "Attention",
               "danger": "Danger", "error": "Error", "seealso": "See also"}


def _role(match: re.Match) -> str:
    name, body = match.group("name"), match.group("body")
    text = body
    target = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^>]+)>$", body)
    if target:
        text = target.group("text")
    if name in ("cite", "cite:p", "cite:ps"):
        return "(" + ", ".join(k.strip() for k in body.split(",")) + ")"
    if name.startswith("cite"):
        return ", ".join(k.strip() for k in body.split(","))
    if name == "eq":
        return f"({text})"
    if name == "math":
        return f"${body}$"
    if name in ("func", "meth", "class", "mod", "attr", "obj", "data", "py:func", "py:class"):
        return f"`{text.lstrip('~')}`"
    return text  # ref, numref, prf:ref, doc, term, ...


def roles_to_text(text: str) -> str:
    """Replace every MyST role by plain text (math and code spans are left alone)."""
    return _ROLE.sub(_role, text)


def _list_table(body: list[str], options: dict[str, str]) -> list[str]:
    rows: list[list[str]] = []
    for line in body:
        stripped = line.strip()
        if stripped.startswith("* - "):
            rows.append([stripped[4:].strip()])
        elif stripped.startswith("- ") and rows:
            rows[-1].append(stripped[2:].strip())
        elif stripped and rows:
            rows[-1][-1] += " " + stripped
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = rows[0] if options.get("header-rows", "0").strip() != "0" else [""] * width
    body_rows = rows[1:] if options.get("header-rows", "0").strip() != "0" else rows
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(r) + " |" for r in body_rows]
    return out


def _render(name: str, arg: str, options: dict[str, str], body: list[str]) -> list[str]:
    label = options.get("label") or options.get("name")
    tag = f" `[{label}]`" if label else ""
    inner = convert_lines(body)
    if name in HEADED:
        title = f" ({arg})" if arg else ""
        if name == "exercise":
            return [f"**{HEADED[name]}{title}.**{tag}", ""] + inner
        return [f"**{HEADED[name]}{title}.**{tag}", ""] + inner + [""]
    if name == "prf:proof":
        return ["*Proof.*", ""] + inner + ["", "$\\blacksquare$"]
    if name == "solution":
        summary = f"Solution ({arg})" if arg else "Solution"
        return ["<details>", f"<summary>{summary}</summary>", ""] + inner + ["", "</details>"]
    if name == "solution-start":
        return [f"**Solution ({arg}).**" if arg else "**Solution.**", ""]
    if name == "solution-end":
        return ["---"]
    if name == "math":
        return ["$$"] + body + ["$$"]
    if name == "list-table":
        return ([f"**{arg}**", ""] if arg else []) + _list_table([roles_to_text(b) for b in body], options)
    if name == "admonition":
        return [f"**{arg}**" if arg else "**Note**", ""] + inner
    if name in ADMONITIONS:
        return [f"**{ADMONITIONS[name]}.**" + (f" {arg}" if arg else ""), ""] + inner
    if name in ("nb-exec-table",):
        return ["*(A table computed when the book is built; see the online book.)*"]
    if name in ("eval-rst",):
        return ["*(Reference material rendered in the online book.)*"]
    # anything else: its title in bold and its content
    return ([f"**{arg}**", ""] if arg else []) + inner


def convert_lines(lines: list[str]) -> list[str]:
    """Convert the directives of a list of Markdown lines (recursively, nested fences included)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _TARGET.match(lines[i].strip()):  # a MyST target "(label)=": nothing to show
            i += 1
            continue
        match = _OPEN.match(lines[i].strip())
        if not match or match.group("name") == "code-cell":
            out.append(roles_to_text(lines[i]))
            i += 1
            continue
        fence, name, arg = match.group("fence"), match.group("name"), match.group("arg").strip()
        j = i + 1
        options: dict[str, str] = {}
        while j < len(lines) and _OPTION.match(lines[j].strip()):
            opt = _OPTION.match(lines[j].strip())
            options[opt.group("key")] = opt.group("value")
            j += 1
        body: list[str] = []
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j])
            j += 1
        out.extend(_render(name, roles_to_text(arg), options, body))
        i = j + 1
    return out


def to_plain_markdown(text: str) -> str:
    """The Markdown of one cell with its MyST directives and roles turned into plain Markdown."""
    return "\n".join(convert_lines(text.split("\n")))


def plain_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Convert the Markdown cells of a notebook in place (and return it)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = to_plain_markdown(cell.source)
    return nb
