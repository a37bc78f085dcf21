"""The drafting loop: a draft with findings (or none at all) is tried again, then the template's wins."""

from __future__ import annotations

import pytest

from descriptions.drafting import draft_write
from descriptions.engines import EmptyDraft
from descriptions.engines.template import TemplateEngine
from descriptions.facts import ListingFacts

FACTS = ListingFacts(kind="home", offer="sale", city="Ponce", state="PR", bed=3)


class Scripted:
    """An LLM stand-in answering from a script; None raises EmptyDraft."""

    name = "llm"

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.seeds: list[int] = []

    def draft(self, facts: ListingFacts, *, tone: str, seed: int) -> str:
        self.seeds.append(seed)
        answer = self.answers.pop(0)
        if answer is None:
            raise EmptyDraft("no description within max_new_tokens=8")
        return answer


def test_it_keeps_a_first_draft_that_passes() -> None:
    draft = draft_write(FACTS, tone="warm", seed=7, engine=Scripted("A Ponce home with 3 bedrooms."), max_tries=3)

    assert (draft.text, draft.engine, draft.findings, draft.tries, draft.note) == (
        "A Ponce home with 3 bedrooms.", "llm", [], 1, "",
    )


def test_it_tries_again_after_findings_an_empty_draft_or_one_about_nothing() -> None:
    engine = Scripted("A home in Ponce with 4 bedrooms.", None, "Sunny and bright, a joy.", "A home in Ponce.")

    draft = draft_write(FACTS, tone="warm", seed=7, engine=engine, max_tries=4)

    assert engine.seeds == [7, 8, 9, 10]
    assert (draft.text, draft.tries) == ("A home in Ponce.", 4)
    assert draft.note == "3 earlier drafts did not pass the checks; this one did."


def test_it_falls_back_to_the_template_after_the_last_try() -> None:
    draft = draft_write(FACTS, tone="concise", seed=7, engine=Scripted("With a pool.", None), max_tries=2)

    assert (draft.text, draft.engine, draft.findings, draft.tries) == (
        TemplateEngine().draft(FACTS, tone="concise", seed=7), "template", [], 2,
    )
    assert draft.note.startswith("The llm engine's 2 drafts each stated something the listing does not hold")


def test_it_refuses_zero_tries() -> None:
    with pytest.raises(ValueError, match="max_tries must be at least 1, not 0"):
        draft_write(FACTS, tone="warm", seed=0, engine=Scripted(), max_tries=0)
