"""The corpus ratchet: docbase's pooled reading of real design documents never gets worse.

ratchet.json records the pooled recall and precision of every measure and the number
of refused documents (tests/corpus/score.py). A figure below the recorded one fails;
a figure above it is printed (never a failure: helpers improving readers side by side
must not break each other's runs) so that whoever improved the readers raises the record
(``python -m tests.corpus.score --update``), and the gain cannot be lost again.
"""

from __future__ import annotations

import json

import pytest

from tests.corpus.score import MEASURES, RATCHET, documents, figures, score_corpus


@pytest.fixture(scope="module")
def today() -> dict:
    return figures(*score_corpus())


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(RATCHET.read_text())


def test_ratchet_is_recorded_for_this_corpus(recorded: dict):
    assert recorded["documents"] == len(documents()), "the corpus changed: run python -m tests.corpus.score --update"


@pytest.mark.parametrize("side", ["recall", "precision"])
@pytest.mark.parametrize("measure", MEASURES)
def test_pooled_figure_does_not_fall(today: dict, recorded: dict, side: str, measure: str):
    now, then = today[side][measure], recorded[side][measure]
    assert now >= then, (
        f"pooled {side} of {measure} fell from {then} to {now}: "
        "python -m tests.corpus.score -v lists every miss per document"
    )
    if now > then:  # a gain is no failure (the suite turns warnings into errors): say it, keep going
        print(
            f"pooled {side} of {measure} rose from {then} to {now}: raise the ratchet with "
            "python -m tests.corpus.score --update and commit tests/corpus/ratchet.json"
        )


@pytest.mark.parametrize("what", ["refusals", "crashes"])
def test_no_more_documents_refused(today: dict, recorded: dict, what: str):
    assert today[what] <= recorded[what], f"{what} rose from {recorded[what]} to {today[what]}"
    if today[what] < recorded[what]:
        print(f"{what} fell from {recorded[what]} to {today[what]}: raise the ratchet (score --update)")
