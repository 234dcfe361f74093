"""Benchmark attribution quality on parts the tables were not built from.

Two test sets, neither used to build the tables.

The first is the held-out split of KiCad's symbol library (one datasheet in five, chosen by
`reference/build/kicad_families.held_out`, which the derivation skips): each part's datasheet domain
names its maker (reference/build/domains.csv), and that is the truth it is scored against. It is
read where it lies (../shared/data/kicad-symbols), never copied.

Each part is attributed twice with the shipped tables only (no user tables):
- by its part number alone;
- with a brand as printed: the former brand its datasheet domain stands for ("Maxim Integrated"),
  else one of the firm's printed forms (aliases, chosen by a hash of the part name so the run is
  repeatable), else its name.

The single-source slice keeps the parts whose number one maker alone publishes in the whole library
(no shared letter head such as LM or BC, no number led by digits, no second maker's datasheet for
the same base number): the issue's target (80% right, at most 1% wrong from the part number alone)
is about such parts.

Outcomes: right (the firm, or a firm whose former name the brand is), wrong (a confident firm that
is not it), candidates (no firm, but several offered and the truth among them: a multi-source
number), unattributed. The baseline in the same run is the table as it was before the families
table (manufacturers.csv prefixes only), so the ratio shows what the families added.

    .venv/bin/python bench/attribution.py [--kicad DIR] [--by-firm 25]

The second is bench/ordering_guides.csv: orderable part numbers copied from makers' own documents
(ordering-information tables, package option addenda, order-code tables, device names in a maker's
data sheet), one row per part with the document and the address it was read at. No document the
reference tables cite is in it (tests/test_ordering_guides.py checks). The truth is the maker whose
document it is. A number is multi-source when its letter head is one makers share by convention, it
begins with digits, or its base number is published by two makers or more in the KiCad library or in
this set; the others form its single-source slice.

Later slices, bench/ordering_guides_*.csv, carry a `split` column that assigns each document wholly to
`tuning` or `held-out`, and are measured before any family is added for their misses. Only the tuning
split's misses are listed; the held-out split is reported in totals, so that it stays a fair estimate.

Paste the output into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "reference" / "build"))

import kicad_families as kf  # noqa: E402
from fieldkit.components.attribution import ManufacturerIndex, attribute  # noqa: E402
from fieldkit.components.manufacturers import split_list  # noqa: E402
from fieldkit.reference.tables import get_reference  # noqa: E402
from machine import cpu_model  # noqa: E402

OUTCOMES = ("right", "wrong", "candidates", "unattributed")
ORDERING_GUIDES = ROOT / "bench" / "ordering_guides.csv"


def ordering_guide_files() -> list[Path]:
    """Every ordering-guide slice: bench/ordering_guides.csv (tuned on) and each later slice,
    bench/ordering_guides_*.csv, whose `split` column keeps a held-out part."""
    return sorted(ORDERING_GUIDES.parent.glob("ordering_guides*.csv"))


def read_ordering_guides(path: Path = ORDERING_GUIDES, split: str | None = None) -> list[kf.Part]:
    """The ordering-guide test set as parts whose truth is the maker whose document lists them; with
    `split`, only the rows of that split (`tuning` or `held-out`)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [kf.Part(name=row["part"], library="ordering-guides", url=row["source"], host="",
                        firm_id=row["firm_id"], brand="") for row in csv.DictReader(handle)
                if split is None or row.get("split") == split]


def splits(path: Path) -> list[str | None]:
    """The splits of a slice file: [None] for one without a `split` column (all of it tuned on)."""
    with path.open(newline="", encoding="utf-8") as handle:
        found = {row.get("split") for row in csv.DictReader(handle)}
    return [None] if found == {None} else sorted(found, key=lambda s: s != "tuning")


def printed_brand(index: ManufacturerIndex, part: kf.Part) -> str:
    """A brand as a researcher would read it off the part, for the 'with brand' run."""
    if part.brand:
        return part.brand
    row = index.firm(part.firm_id)
    forms = split_list(row.aliases) or [row.firm]
    pick = hashlib.sha256(part.name.encode()).digest()[0] % len(forms)
    return forms[pick]


def outcome(result, truth: str) -> str:
    if result.firm_id == truth:
        return "right"
    if result.firm_id is not None:
        return "wrong"
    if truth in {c.firm_id for c in result.candidates}:
        return "candidates"
    return "unattributed"


def score(index: ManufacturerIndex, parts: list[kf.Part], with_brand: bool) -> tuple[Counter, dict[str, Counter], list[str]]:
    totals: Counter = Counter()
    by_firm: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    for part in parts:
        brand = printed_brand(index, part) if with_brand else None
        result = attribute(part.name, brand, index=index)
        got = outcome(result, part.firm_id)
        totals[got] += 1
        by_firm[part.firm_id][got] += 1
        if got == "wrong" and len(wrong) < 15:
            wrong.append(f"{part.name} ({part.firm_id}) -> {result.firm_id}: {result.basis}")
    return totals, by_firm, wrong


def single_source(parts: list[kf.Part], all_parts: list[kf.Part]) -> list[kf.Part]:
    """Parts whose number one maker alone publishes in the whole library: a letter head no convention
    shares, and a base number (LM317 of LM317T) no second maker's datasheet carries."""
    makers: dict[str, set[str]] = defaultdict(set)
    for p in all_parts:
        if p.firm_id:
            makers[kf.base_number(kf.part_key(p.name))].add(p.firm_id)
    out = []
    for p in parts:
        key = kf.part_key(p.name)
        head = kf.head(key)
        if head[:1].isalpha() and head not in kf.SHARED_HEADS and len(makers[kf.base_number(key)]) == 1:
            out.append(p)
    return out


def line(label: str, c: Counter) -> str:
    n = sum(c.values()) or 1
    return (f"| {label} | {sum(c.values())} | " + " | ".join(f"{c[o]} ({100 * c[o] / n:.1f}%)" for o in OUTCOMES) + " |")


def table(title: str, rows: list[tuple[str, Counter]]) -> None:
    print(f"\n## {title}\n")
    print("| run | parts | " + " | ".join(OUTCOMES) + " |")
    print("|---|---|" + "---|" * len(OUTCOMES))
    for label, c in rows:
        print(line(label, c))


def by_firm(title: str, counts: dict[str, Counter], limit: int) -> None:
    print(f"\n## {title}\n")
    print("| firm | parts | " + " | ".join(OUTCOMES) + " |")
    print("|---|---|" + "---|" * len(OUTCOMES))
    for firm, c in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:limit]:
        print(line(firm, c))


def ordering_guide_report(index: ManufacturerIndex, baseline: ManufacturerIndex, all_parts: list[kf.Part],
                          limit: int, path: Path = ORDERING_GUIDES, split: str | None = None) -> None:
    """Score one ordering-guide slice (or one split of it): whole, single-source and multi-source, by
    firm, and its misses. A held-out split is reported in totals only: its misses are not listed, so
    that nobody tunes the tables on them."""
    parts = read_ordering_guides(path, split)
    single = single_source(parts, all_parts + parts)
    names = {p.name for p in single}
    multi = [p for p in parts if p.name not in names]
    documents = len({p.url for p in parts})
    where = f"bench/{path.name}" + (f", {split} split" if split else "")
    print(f"\n# ordering-guide slice: {len(parts)} orderable part numbers from {documents} maker documents "
          f"({where}), {len({p.firm_id for p in parts})} firms")
    rows = []
    for label, idx, subset, brand in (("baseline, part number alone", baseline, parts, False),
                                      ("part number alone", index, parts, False),
                                      ("with brand", index, parts, True),
                                      ("single-source, part number alone", index, single, False),
                                      ("single-source, with brand", index, single, True),
                                      ("multi-source, part number alone", index, multi, False)):
        rows.append((label, score(idx, subset, brand)[0]))
    table("ordering-guide slice", rows)
    if split == "held-out":  # totals only: a firm's share points at its misses
        return
    _, firms, wrong = score(index, parts, False)
    by_firm(f"ordering-guide slice, part number alone: by firm ({limit} with most parts)", firms, limit)
    _, firms, _ = score(index, single, False)
    by_firm("ordering-guide single-source slice, part number alone: by firm", firms, limit)
    if wrong:
        print(f"\nconfidently wrong (ordering guides, part number alone), first {len(wrong)}:")
        for w in wrong:
            print(f"- {w}")
    missed = [p.name for p in single if attribute(p.name, None, index=index).firm_id is None]
    if missed:
        print(f"\nunattributed single-source numbers ({len(missed)}): " + ", ".join(missed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kicad", type=Path, default=kf.DEFAULT_KICAD)
    parser.add_argument("--by-firm", type=int, default=25, help="how many firms to list (most parts first)")
    args = parser.parse_args()
    commit = kf.kicad_commit(args.kicad)
    tables = get_reference(use_env=False)
    index = ManufacturerIndex.from_tables(tables)
    baseline = ManufacturerIndex(list(tables.manufacturers), "manufacturers.csv prefixes only")
    all_parts = kf.read_parts(args.kicad, kf.load_domains(kf.HERE / "domains.csv"), kf.load_libraries(kf.HERE / "libraries.csv"))
    parts = [p for p in all_parts if p.firm_id and kf.held_out(p) and index.firm(p.firm_id)]
    single = single_source(parts, all_parts)
    print(f"# attribution benchmark, {dt.date.today().isoformat()}, {cpu_model()}")
    print(f"held-out KiCad parts (kicad-symbols @ {commit[:12]}), datasheet on a maker's domain: {len(parts)}; "
          f"reference version {tables.version[:12]}\n")
    print("| run | parts | " + " | ".join(OUTCOMES) + " |")
    print("|---|---|" + "---|" * len(OUTCOMES))
    results = {}
    for label, idx, brand in (("baseline, part number alone", baseline, False), ("part number alone", index, False),
                              ("baseline, with brand", baseline, True), ("with brand", index, True)):
        results[label] = score(idx, parts, brand)
        print(line(label, results[label][0]))
    for label, brand in (("single-source slice, part number alone", False), ("single-source slice, with brand", True)):
        print(line(label, score(index, single, brand)[0]))
    for label in ("part number alone", "with brand"):
        _, by_firm, wrong = results[label]
        print(f"\n## {label}: by firm ({args.by_firm} with most parts)\n")
        print("| firm | parts | " + " | ".join(OUTCOMES) + " |")
        print("|---|---|" + "---|" * len(OUTCOMES))
        for firm, c in sorted(by_firm.items(), key=lambda kv: -sum(kv[1].values()))[: args.by_firm]:
            print(line(firm, c))
        if wrong:
            print(f"\nconfidently wrong ({label}), first {len(wrong)}:")
            for w in wrong:
                print(f"- {w}")
    for path in ordering_guide_files():
        for split in splits(path):
            ordering_guide_report(index, baseline, all_parts, args.by_firm, path, split)
    return 0


if __name__ == "__main__":
    sys.exit(main())
