"""Babel extractor for dialog YAML: every text a person reads becomes a msgid.

Registered under the `babel.extractors` entry point as `kerro_dialogs`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from dialogs.loader import DialogError, parse_dialog
from dialogs.model import StepKind

TRANSLATOR_NOTE = "dialog {dialog}, step {step} ({kind})"


def extract_dialog(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, funcname, message, comments) for Babel, in file order."""
    source = fileobj.read().decode("utf-8")
    name = getattr(fileobj, "name", "<dialog>")
    try:
        dialog = parse_dialog(source, file=str(name))
    except DialogError as error:
        raise ValueError(f"cannot extract from a broken dialog:\n{error}") from None
    yield 1, None, dialog.title, [f"title of dialog {dialog.id}"]
    for step in dialog.steps:
        note = TRANSLATOR_NOTE.format(dialog=dialog.id, step=step.id, kind=step.kind.value)
        yield step.line, None, step.text, [note]
        if step.kind in (StepKind.SCALE, StepKind.NPS):
            assert step.low is not None
            assert step.high is not None
            yield step.line, None, step.low, [f"{note}: the meaning of the lowest answer"]
            yield step.line, None, step.high, [f"{note}: the meaning of the highest answer"]
        for option in step.options:
            yield step.line, None, option.text, [f"{note}: a button"]
