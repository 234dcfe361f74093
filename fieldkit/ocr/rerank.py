"""Re-ranking OCR readings with what fieldkit knows.

The engine keeps the reading with the highest mean confidence, but tesseract is often
confident about a wrong reading. Every reading that competed for the engine's choice is scored
again here (not those the engine ruled out by script, see fieldkit.ocr.engine.choose):
its confidence, plus a bonus when the reference tables can read it (a known designation, or a
lot, year or factory format) in proportion to how much of the text the match covers. A reading
that the tables recognise wins over a slightly more confident one they do not, and the basis of
that choice is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.markings.matcher import match_marking
from fieldkit.ocr.correction import correct
from fieldkit.ocr.engine import OcrResult
from fieldkit.reference.plain import ReferenceTables, plain_reference

MATCH_WEIGHT = 25.0  # confidence points (of 100) that a match covering the whole text is worth


@dataclass(frozen=True)
class RankedReading:
    text: str  # as read by this (pipeline, psm)
    confidence: float
    pipeline: str
    psm: int
    pattern_id: str | None  # the reference pattern that reads it best, if any
    coverage: float  # share of the text's characters that the pattern's match covers
    score: float

    def describe(self) -> str:
        how = f"{self.pipeline}/psm {self.psm}, confidence {self.confidence:.0f}"
        if self.pattern_id:
            return f"{self.text!r} ({how}) matches {self.pattern_id} over {self.coverage:.0%} of its text"
        return f"{self.text!r} ({how}) matches no reference pattern"


def rank(result: OcrResult, tables: ReferenceTables | None = None) -> list[RankedReading]:
    """Every distinct non-empty reading the engine tried, best first.

    Without `tables`, the tables as their files give them (no pydantic: start-up time; `fieldkit
    reference check` validates them, and a row it would refuse is left out here)."""
    tables = tables or plain_reference()
    options = [(result.text, result.confidence, str(result.engine.get("pipeline")), int(result.engine.get("psm") or 0))]
    options += [(c.text, c.confidence, c.pipeline, c.psm) for c in result.candidates if not c.error and c.in_choice]
    ranked, seen = [], set()
    for text, confidence, pipeline, psm in options:
        text = text.strip()
        if not text or text in seen:
            continue
        seen.add(text)
        corrected, _ = correct(text)
        matches = match_marking(corrected, tables)
        best = matches[0] if matches else None
        letters = len(corrected.replace(" ", "")) or 1
        coverage = min(1.0, len(best.matched.replace(" ", "")) / letters) if best else 0.0
        score = confidence + MATCH_WEIGHT * (best.score if best else 0.0) * coverage
        ranked.append(RankedReading(text, confidence, pipeline, psm, best.pattern_id if best else None, coverage, score))
    return sorted(ranked, key=lambda r: -r.score)


def preferred(result: OcrResult, tables: ReferenceTables | None = None) -> tuple[str, str | None]:
    """The reading to correct and show, and why it was preferred over the engine's choice (None if it was not)."""
    ranked = rank(result, tables)
    if not ranked or ranked[0].text == result.text.strip():
        return result.text, None
    engine_choice = next((r for r in ranked if r.text == result.text.strip()), None)
    why = f"preferred {ranked[0].describe()}"
    if engine_choice is not None:
        why += f" over the most confident reading {engine_choice.describe()}"
    return ranked[0].text, why
