"""Audit the sources cited by reference/manufacturers.csv: every domain and how many rows cite it, and
every row by the standing of what it cites.

A domain is one of:
- weak: on fieldkit.reference.weak_sources (mirrors, copies of filings, stock portals, blogs,
  distributors, encyclopaedias);
- regulator: a public register or body (sec.gov, *.gov, gov.uk);
- library: a public library of record or the maker's own code (github.com, patents.google.com);
- maker: the firm's own site (a host label or the host itself names the row's firm, or OWN_DOMAINS
  says whose it is);
- news: everything else (news and trade press: secondary reporting by a named publisher).

A row is "primary" when it cites a maker, regulator or library source (or the pinned KiCad library)
and neither cites a weak domain nor says "no primary source"; "tagged" when it says no primary
source was found or read; "secondary" when it rests on news alone and says nothing: those are the
rows to fix. Run: `python reference/build/source_audit.py [reference/manufacturers.csv]`.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from fieldkit.reference.weak_sources import NO_PRIMARY, WEAK_SOURCE_DOMAINS

URL = re.compile(r"https?://([^/\s;,)\"']+)", re.IGNORECASE)
# makers' own domains that do not spell the row's name (the maker's parent or an abbreviation)
OWN_DOMAINS = {"movella.com": "xsens", "keyelco.com": "keystone", "bosch-mobility-solutions.com": "bosch-sensortec",
               "we-online.com": "wurth-elektronik"}
LIBRARIES = ("github.com", "githubusercontent.com", "patents.google.com")


def host_of(url_host: str) -> str:
    host = url_host.lower().rstrip(".").split(":")[0]
    return host[4:] if host.startswith("www.") else host


def _under(host: str, domains) -> bool:
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels) - 1))


def _names(row: dict) -> tuple[set[str], set[str]]:
    """(words that may be a whole host label, whole names that may be found inside a host)."""
    words = {row["id"], *row["id"].split("-")}
    whole = {row["id"].replace("-", "")}
    for name in [row["firm"], *row["aliases"].split("|")]:
        compact = re.sub(r"[^a-z0-9]", "", name.lower())
        if compact:
            words.add(compact)
            whole.add(compact)
        words.update(w for w in re.findall(r"[a-z0-9]+", name.lower()) if len(w) >= 3)
    return {w for w in words if w}, {w for w in whole if len(w) >= 4}


def classify(host: str, row: dict) -> str:
    """weak, regulator, library, maker or news."""
    if _under(host, WEAK_SOURCE_DOMAINS):
        return "weak"
    if host == "sec.gov" or host.endswith(".gov") or host.endswith("gov.uk") or host == "gov.uk":
        return "regulator"
    if _under(host, LIBRARIES) or host in LIBRARIES:
        return "library"
    if OWN_DOMAINS.get(host) == row["id"]:
        return "maker"
    words, whole = _names(row)
    labels = host.split(".")
    if any(label in words or label.replace("-", "") in words for label in labels[:-1]):
        return "maker"
    if any(name in host.replace("-", "") for name in whole):
        return "maker"
    return "news"


def row_standing(row: dict) -> str:
    """primary, tagged or secondary (see the module docstring)."""
    source = row.get("source") or ""
    if NO_PRIMARY.search(source):
        return "tagged"
    kinds = {classify(host_of(m.group(1)), row) for m in URL.finditer(source)}
    if "weak" in kinds:
        return "secondary"
    if kinds & {"maker", "regulator", "library"} or "KiCad symbol library" in source:
        return "primary"
    return "secondary"


def cites_primary(row: dict) -> bool:
    """Whether the row cites at least one maker, regulator or library source (tagged or not for its other facts)."""
    kinds = {classify(host_of(m.group(1)), row) for m in URL.finditer(row.get("source") or "")}
    return bool(kinds & {"maker", "regulator", "library"}) or "KiCad symbol library" in (row.get("source") or "")


def audit(path: Path) -> tuple[Counter, Counter, Counter, list[str]]:
    """(rows per domain, class of each domain as a Counter key (domain, class), rows per standing (and
    "cites primary": rows citing at least one primary source), ids of secondary rows)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    per_domain: Counter = Counter()
    classes: Counter = Counter()
    standing: Counter = Counter()
    secondary: list[str] = []
    for row in rows:
        for host in sorted({host_of(m.group(1)) for m in URL.finditer(row["source"])}):
            per_domain[host] += 1
            classes[(host, classify(host, row))] += 1
        kind = row_standing(row)
        standing[kind] += 1
        standing["cites primary"] += cites_primary(row)
        if kind == "secondary":
            secondary.append(row["id"])
    return per_domain, classes, standing, secondary


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "manufacturers.csv"
    per_domain, classes, standing, secondary = audit(path)
    by_class: Counter = Counter()
    for (host, kind), n in classes.items():
        by_class[kind] += n
    rows = sum(standing[k] for k in ("primary", "tagged", "secondary"))
    print(f"{rows} rows: " + ", ".join(f"{k} {standing[k]}" for k in ("primary", "tagged", "secondary"))
          + f"; {standing['cites primary']} cite at least one primary source")
    print("citations by class: " + ", ".join(f"{k} {n}" for k, n in by_class.most_common()))
    for (host, kind), n in sorted(classes.items(), key=lambda item: (item[0][1], -item[1], item[0][0])):
        print(f"{kind:9s} {n:3d} {host}")
    if secondary:
        print("secondary rows: " + " ".join(secondary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
