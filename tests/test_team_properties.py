"""Property tests on random edit histories (items, markings, components with their attribution bases):
merge is idempotent, commutative in its content, never drops a row."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.catalog import items
from fieldkit.catalog.components import add_component
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking
from fieldkit.evidence.verify import verify_catalog
from fieldkit.team.bundle import create_bundle, read_bundle
from fieldkit.team.merge import merge_content

from team_helpers import content_of

OPS = st.lists(
    st.tuples(st.sampled_from("AB"), st.sampled_from(["add", "edit", "mark", "part"]), st.integers(0, 5),
              st.text("abcxyz", min_size=1, max_size=6)),
    max_size=12,
)


def bundle_of(catalog, path: Path):
    create_bundle(catalog, path, everything=True)
    report, content = read_bundle(path, allow_unsigned=True)
    assert content is not None, report.problems
    return content


def apply(catalog, op: str, index: int, text: str) -> None:
    refs = [r[0] for r in catalog.db.execute("SELECT ref FROM items ORDER BY ref")]
    if op == "add" or not refs:
        items.add_item(catalog, {"category": "debris", "notes": text})
    elif op == "edit":
        items.update_item(catalog, refs[index % len(refs)], {"notes": text})
    elif op == "part":  # a brand as entered: its basis is shared when both sides enter the same text
        add_component(catalog, refs[index % len(refs)], {"part_number": "LM358", "manufacturer": text})
    else:
        add_marking(catalog, refs[index % len(refs)], text)


def all_keys(catalog) -> set:
    return {(t, k) for t, rows in content_of(catalog).items() for k in rows}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, 3), ops=OPS)
def test_merge_is_idempotent_commutative_and_never_drops_a_row(base, ops):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        a = open_catalog(tmp / "a.db", actor="a")
        b = open_catalog(tmp / "b.db", actor="b")
        items.set_ref_prefix(a, "A")
        items.set_ref_prefix(b, "B")
        for n in range(base):  # a shared start: A's items, merged into B
            items.add_item(a, {"category": "debris", "notes": f"base {n}"})
        merge_content(b, bundle_of(a, tmp / "base.fkb"), unsigned=True)
        for side, op, index, text in ops:
            apply(a if side == "A" else b, op, index, text)
        from_a, from_b = bundle_of(a, tmp / "a.fkb"), bundle_of(b, tmp / "b.fkb")
        keys_before = all_keys(a) | all_keys(b)

        merge_content(b, from_a, unsigned=True)  # A into B
        merge_content(a, from_b, unsigned=True)  # B into A
        assert content_of(a) == content_of(b)
        assert all_keys(a) == keys_before  # nothing dropped, nothing invented

        once = content_of(b), b.db.execute("SELECT count(*) FROM audit").fetchone()[0]
        merge_content(b, from_a, unsigned=True)
        assert (content_of(b), b.db.execute("SELECT count(*) FROM audit").fetchone()[0]) == once
        from_a.bundle_id = "same-content-new-id"  # not recognised as merged before: the rows alone must hold
        report = merge_content(b, from_a, unsigned=True)
        assert content_of(b) == once[0] and not report.added and not report.updated and not report.conflicts
        for catalog in (a, b):
            assert verify_catalog(catalog).problems == []
            catalog.close()
