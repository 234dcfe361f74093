"""The ordering-guide test set (bench/ordering_guides.csv): orderable part numbers from makers' own
documents, kept apart from everything the reference tables were built from."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

from fieldkit.components.attribution import ManufacturerIndex, attribute
from fieldkit.reference.tables import get_reference

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "bench" / "ordering_guides.csv"
SLICES = sorted(GUIDES.parent.glob("ordering_guides*.csv"))


def rows(path: Path | None = None) -> list[dict[str, str]]:
    """The rows of one slice, or of every slice."""
    out = []
    for each in [path] if path else SLICES:
        with each.open(newline="", encoding="utf-8") as handle:
            out.extend(csv.DictReader(handle))
    return out


def reference_text() -> str:
    paths = [ROOT / "reference" / "manufacturers.csv", ROOT / "reference" / "part_families.csv",
             ROOT / "reference" / "build" / "curated_families.csv"]
    return "\n".join(p.read_text(encoding="utf-8") for p in paths)


def test_every_row_names_a_known_firm_a_document_and_the_address_it_was_read_at():
    firms = {f.id for f in get_reference(use_env=False).manufacturers}
    data = rows()
    assert len(data) >= 250
    assert len({r["firm_id"] for r in data}) >= 10
    for r in data:
        assert r["part"] and r["part"] == r["part"].strip()
        assert r["firm_id"] in firms, r
        assert r["document"], r
        assert re.match(r"https?://\S+$", r["source"]), r


def test_part_numbers_are_unique():
    parts = [r["part"] for r in rows()]
    assert len(parts) == len(set(parts))


def test_no_document_of_the_set_is_cited_by_the_reference_tables():
    """A test number whose document also built a family would measure the table on its own source."""
    cited = reference_text()
    for source in {r["source"] for r in rows()}:
        assert source not in cited, source


def test_the_benchmark_reads_the_set_with_the_maker_as_truth():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import attribution as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert bench.ordering_guide_files() == SLICES
    for path in SLICES:
        parts = bench.read_ordering_guides(path)
        assert [(p.name, p.firm_id) for p in parts] == [(r["part"], r["firm_id"]) for r in rows(path)]
        for split in ("tuning", "held-out"):
            chosen = bench.read_ordering_guides(path, split)
            assert [p.name for p in chosen] == [r["part"] for r in rows(path) if r.get("split") == split]


@pytest.mark.parametrize("path", [p for p in SLICES if p != GUIDES], ids=lambda p: p.name)
def test_a_later_slice_puts_each_document_wholly_in_the_tuning_or_the_held_out_split(path):
    """Lines of one document share its conventions; a document split across both would leak."""
    split_of: dict[str, set[str]] = {}
    for r in rows(path):
        assert r["split"] in ("tuning", "held-out"), r
        split_of.setdefault(r["source"], set()).add(r["split"])
    assert all(len(s) == 1 for s in split_of.values())
    assert {s for v in split_of.values() for s in v} == {"tuning", "held-out"}


@pytest.mark.parametrize("with_brand", [False, True])
def test_no_ordering_guide_number_is_confidently_given_to_another_firm(with_brand):
    """A confident wrong attribution is worse than none: the shipped tables never make one on this set."""
    tables = get_reference(use_env=False)
    index = ManufacturerIndex.from_tables(tables)
    for r in rows():
        brand = index.firm(r["firm_id"]).firm if with_brand else None
        result = attribute(r["part"], brand, index=index)
        assert result.firm_id in (None, r["firm_id"]), (r["part"], result.firm_id, result.basis)
