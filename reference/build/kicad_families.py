"""Derive part-number families from KiCad's symbol library, where it lies, and build part_families.csv.

KiCad's `.dcm` documentation files give, for each symbol, its part name and a datasheet URL; the URL's
domain names the maker (domains.csv says which domain is whose: reviewed by hand, maker sites only,
never distributors or datasheet mirrors). From that, this script finds the shortest prefixes that
only one maker's parts begin with (a "family") and the base numbers that several makers publish
(a "multi-source" number), and writes them with their counts:

    TPS: 412 parts, 410 with datasheets on ti.com

Rules (each a choice a reviewer can see in the output):
- A part belongs to the derivation split or the held-out split by its datasheet (`held_out()`):
  parts sharing a datasheet fall on the same side, so bench/attribution.py can measure the table on
  parts that were never used to build it.
- A family begins with a letter and is either three letters or more, or a whole letter head plus
  at least one digit (AD7, not AD). Heads that several makers share by convention (SHARED_HEADS:
  LM, TL, MC, BC...) need a digit and one more character after the head (LM25, MC9S) and three
  datasheets; numbers that begin with digits (74HC00, 2N7002, 1N4148) are never one maker's.
- A family is pure (every derivation part beginning with it has the same maker) and is seen on at
  least MIN_DATASHEETS different datasheets. The shortest such prefix of each part is kept, and a
  family inside another family of the same maker is dropped.
- A base number (head and digits, "LM317") published by two makers or more is multi-source: every
  maker seen becomes a candidate, and the family rows that would claim it are not written.

A reviewer's decisions are in review.csv: "too-broad" (the derivation may not stop at that prefix and
goes on to longer ones: AT25 is Adesto's AT25SF flash and Atmel's AT25 EEPROMs) and "reject" (the
row is left out of the table). The reviewed table is then written from the derived rows, minus those review.csv rejects, plus the
hand-curated rows of curated_families.csv (exceptions, multi-source numbers from makers' own
documents, lines that changed hands). Run it with one command: `make reference`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# ../shared/data/kicad-symbols from the project root (a worktree one level deeper looks one level up)
DEFAULT_KICAD = next((d / "shared" / "data" / "kicad-symbols" for d in (ROOT.parent, ROOT.parent.parent)
                      if (d / "shared" / "data" / "kicad-symbols").is_dir()), ROOT.parent / "shared" / "data" / "kicad-symbols")
MIN_DATASHEETS = 2  # a family of four characters or fewer is seen on this many datasheets
LONG_FAMILY = 5  # from this length, one datasheet is enough
HELD_OUT_FOLDS = 5  # one datasheet in five is held out for the benchmark
SHARED_HEADS = frozenset(
    "LM LF LP NE SE SA UA TL MC CD HEF ULN UC OP TIP MJ MJE IRF BC BD BF BS BZX BZV BAT BAV BAS "
    "KA AMS AP L ICL DG HCF HC ADC DAC CA MAX IR SG "
    # Pro Electron type numbers: registered codes that any maker may use (BCP56, BSS138, BZT52)
    "BA BAP BAR BAW BB BCP BCV BCW BCX BFR BFS BFT BFU BSP BSR BSS BT BU BY BYV BZ BZT".split()
)
SHARED_MIN_DATASHEETS = 3  # a family under a shared head needs this many datasheets, whatever its length
FAMILY_COLUMNS = ["family", "firm_id", "kind", "brand", "line_from", "source", "notes"]


@dataclass(frozen=True)
class Part:
    """One KiCad symbol: its name, the file it is in, its datasheet URL and what that URL says of the maker."""

    name: str
    library: str
    url: str
    host: str
    firm_id: str | None
    brand: str


def part_key(text: str) -> str:
    """A part number folded as fieldkit folds it for family matching: upper case, letters and digits."""
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def family_key(family: str) -> str:
    """A family as the lookup keys it: its part key, with a closing hyphen kept ("M80-" is Harwin's
    M80-8540442, not a replacement for Intel's derived "M80")."""
    return part_key(family) + ("-" if family.strip().endswith("-") else "")


def head(key: str) -> str:
    """The letters a part number begins with ("TPS" of TPS62130); digits first give the digits ("74" of 74HC00)."""
    match = re.match(r"[A-Z]+|[0-9]+", key)
    return match.group(0) if match else ""


def name_head(name: str) -> str:
    """The letter head of a part name up to a digit or a separator: NEO of NEO-M8N, ADSP of ADSP-BF533.
    A family of letters only is a whole head, so that fieldkit's lookup (which stops a letter family at
    the same place) never reads ADS (TI) into ADSP (Analog Devices)."""
    match = re.match(r"[A-Z]+|[0-9]+", name.upper())
    return match.group(0) if match else ""


def base_number(key: str) -> str:
    """Head and the digits after it: LM317 of LM317T, 74HC00 is 74HC + 00 -> 74HC00."""
    match = re.match(r"[0-9]*[A-Z]+[0-9]+|[0-9]+[A-Z]*[0-9]*", key)
    return match.group(0) if match else key


def kicad_commit(kicad_dir: Path) -> str:
    text = (kicad_dir / "README.md").read_text(encoding="utf-8")
    match = re.search(r"commit ([0-9a-f]{12,40})", text)
    if not match:
        raise SystemExit(f"error: {kicad_dir}/README.md names no commit; point --kicad at the pinned copy")
    return match.group(1)


def load_domains(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["domain"].lower(): (row["firm_id"], row["brand"]) for row in csv.DictReader(fh)}


def load_libraries(path: Path) -> dict[str, tuple[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["library"]: (row["firm_id"], row["brand"]) for row in csv.DictReader(fh)}


def library_maker(library: str, libraries: dict[str, tuple[str, str]]) -> tuple[str | None, str]:
    """The firm a maker-named library stands for (FPGA_Xilinx_Artix7 -> amd, brand Xilinx), longest name first."""
    for name in sorted(libraries, key=len, reverse=True):
        if library.startswith(name):
            return libraries[name]
    return None, ""


def maker_of(host: str, domains: dict[str, tuple[str, str]]) -> tuple[str | None, str]:
    """The firm whose domain the host is (or is under): www.ti.com -> texas-instruments."""
    labels = host.lower().split(".")
    for i in range(len(labels)):
        found = domains.get(".".join(labels[i:]))
        if found:
            return found
    return None, ""


def read_parts(kicad_dir: Path, domains: dict[str, tuple[str, str]],
               libraries: dict[str, tuple[str, str]] | None = None) -> list[Part]:
    """Every symbol of every .dcm file, with its datasheet host and maker: the maker whose site the
    datasheet is on, else the maker a maker-named library stands for (libraries.csv), else None."""
    parts = []
    for path in sorted((kicad_dir / "dcm").glob("*.dcm")):
        name = url = None
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("$CMP "):
                name, url = line[5:].strip(), ""
            elif line.startswith("F ") and name is not None:
                url = line[2:].strip()
            elif line.startswith("$ENDCMP") and name is not None:
                host = urlsplit(url if "://" in url else "http://" + url).hostname or "" if url and url != "~" else ""
                firm, brand = maker_of(host, domains) if host else (None, "")
                if firm is None and libraries:
                    firm, brand = library_maker(path.stem, libraries)
                if not excluded_library(path.stem):
                    parts.append(Part(name, path.stem, url, host, firm, brand))
                name = None
    return parts


def held_out(part: Part) -> bool:
    """Is this part in the benchmark's held-out split? Decided by its datasheet, so variants stay together."""
    group = part.url.split("#")[0].rstrip("/").lower() if part.url and part.url != "~" else part.name.lower()
    return hashlib.sha256(group.encode()).digest()[0] % HELD_OUT_FOLDS == 0


def _candidates(name: str) -> list[str]:
    """The prefixes of a part number that may be a family, shortest first: its whole letter head,
    then the head with one digit, two digits..."""
    key, h = part_key(name), name_head(name)
    if not h or not h[0].isalpha():
        return []
    shared = h in SHARED_HEADS
    out = [] if shared else [h]
    rest, need = key[len(h):], 2 if shared else 1  # a shared head needs a digit and one more character
    if rest[:1].isdigit() and len(rest) >= need:
        out += [h + rest[:n] for n in range(need, len(rest) + 1)]
    return [p for p in out if len(p) >= 3]


def excluded_library(library: str) -> bool:
    """KiCad libraries of generic symbols (Mini-DIN, Conn_01x02, R, C): their names are not part numbers."""
    return library.startswith(("Connector", "Device", "power", "Mechanical", "Switch", "Jumper", "Graphic"))


@dataclass
class Derived:
    """What the derivation found: single-maker families and multi-source numbers, with their counts."""

    families: dict[str, tuple[str, str]]  # family -> (firm_id, brand)
    multi: dict[str, list[str]]  # base number -> firm ids
    counts: dict[str, tuple[int, int, str]]  # family -> (parts, parts on the maker's domain, domain)
    examples: dict[str, list[str]]
    training: int
    held: int
    branded: dict[str, int] = field(default_factory=dict)  # family -> its parts with a data sheet under its brand


def covers_nothing(shorter: str, longer: str) -> bool:
    """Does a family of letters only (a whole letter head: MASW, SIS) fail to match the numbers of a longer
    family that extends its head with letters (MASWSS, SISS)? Then the longer one is not redundant."""
    return shorter.isalpha() and longer[len(shorter)].isalpha()


def derive(parts: list[Part], too_broad: frozenset[str] = frozenset()) -> Derived:
    """Families and multi-source numbers from the derivation split; a prefix in `too_broad` (review.csv)
    is never a family, so its parts get longer, narrower families."""
    train = [p for p in parts if not held_out(p)]
    known = [p for p in train if p.firm_id]
    firms_by_prefix: dict[str, set[str]] = defaultdict(set)
    sheets_by_prefix: dict[str, set[str]] = defaultdict(set)
    for p in known:
        key = part_key(p.name)
        for prefix in {key[:n] for n in range(1, len(key) + 1)}:
            firms_by_prefix[prefix].add(p.firm_id)
            sheets_by_prefix[prefix].add(p.url.split("#")[0].rstrip("/").lower())
    makers_of_base: dict[str, set[str]] = defaultdict(set)
    for p in known:
        makers_of_base[base_number(part_key(p.name))].add(p.firm_id)
    multi = {base: firms for base, firms in makers_of_base.items() if len(firms) > 1 and re.search(r"[0-9]", base)}
    chosen: dict[str, tuple[str, str]] = {}
    brands: dict[str, Counter] = defaultdict(Counter)
    for p in known:
        key = part_key(p.name)
        shared = name_head(p.name) in SHARED_HEADS
        for prefix in _candidates(p.name):
            if prefix in too_broad:
                continue
            needed = SHARED_MIN_DATASHEETS if shared else 1 if len(prefix) >= LONG_FAMILY else MIN_DATASHEETS
            if (firms_by_prefix[prefix] == {p.firm_id} and len(sheets_by_prefix[prefix]) >= needed
                    and not any(m.startswith(prefix) or prefix.startswith(m) for m in multi)):
                chosen.setdefault(prefix, (p.firm_id, ""))
                brands[prefix][p.brand] += 1
                break
    # drop a family inside a shorter family of the same firm, unless the shorter one is a whole letter
    # head that the longer one extends with letters (MASW does not match MASWSS0115, so MASWSS stays)
    families = {}
    for prefix, (firm, _) in sorted(chosen.items(), key=lambda kv: len(kv[0])):
        if any(prefix.startswith(f) and families[f][0] == firm and not covers_nothing(f, prefix) for f in families):
            continue
        # a former brand wins when any of the family's parts has its data sheet on that former firm's
        # own site (LT1: linear.com beside analog.com), so the attribution says "formerly Linear Technology"
        named = [(n, b) for b, n in brands[prefix].items() if b]
        brand = max(named)[1] if named else ""
        families[prefix] = (firm, brand)
    counts, examples = {}, defaultdict(list)
    for prefix, (firm, _) in families.items():
        mine = [p for p in train if part_key(p.name).startswith(prefix)]
        on_domain = [p for p in mine if p.firm_id == firm]
        domain = Counter(".".join(p.host.split(".")[-2:]) for p in on_domain).most_common(1)[0][0]
        counts[prefix] = (len(mine), len(on_domain), domain)
        examples[prefix] = sorted({p.name for p in on_domain})[:3]
    branded = {prefix: sum(1 for p in train if part_key(p.name).startswith(prefix) and p.firm_id == firm
                           and p.brand == brand)
               for prefix, (firm, brand) in families.items() if brand}
    return Derived(families, {k: sorted(v) for k, v in multi.items()}, counts, examples,
                   len(train), len(parts) - len(train), branded)


def write_derived(derived: Derived, commit: str, out_dir: Path) -> Path:
    """reference/build/out/kicad_derived.csv and kicad_counts.txt: what a reviewer reads."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cite = f"KiCad symbol library (kicad-symbols @ {commit[:12]})"
    path = out_dir / "kicad_derived.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FAMILY_COLUMNS)
        for family, (firm, brand) in sorted(derived.families.items()):
            parts, on_domain, domain = derived.counts[family]
            writer.writerow([family, firm, "family", brand, "",
                             f"{cite}: {parts} parts begin {family}, {on_domain} with datasheets on {domain} "
                             f"(e.g. {', '.join(derived.examples[family])})"
                             + (f"; {derived.branded[family]} of them with datasheets on {brand}'s own site (domains.csv)"
                                if brand else ""), ""])
        for base, firms in sorted(derived.multi.items()):
            for firm in firms:
                writer.writerow([base, firm, "multi", "", "",
                                 f"{cite}: {base} published with datasheets of {len(firms)} makers ({', '.join(firms)})", ""])
    lines = [f"# derived from {cite}; {derived.training} parts used, {derived.held} held out for bench/attribution.py",
             f"# {len(derived.families)} families, {len(derived.multi)} multi-source numbers"]
    for family, (parts, on_domain, domain) in sorted(derived.counts.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"{family}: {parts} parts, {on_domain} with datasheets on {domain}")
    (out_dir / "kicad_counts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [{c: (row.get(c) or "").strip() for c in FAMILY_COLUMNS + ["decision", "reason"]} for row in csv.DictReader(fh)]


def build_table(derived_csv: Path, review_csv: Path, curated_csv: Path, out_csv: Path) -> tuple[int, int, int]:
    """part_families.csv: derived rows not rejected in review, then curated rows (which replace derived
    rows of the same family). Returns (derived kept, rejected, curated)."""
    rejected = {(r["family"], r["firm_id"]) for r in read_rows(review_csv) if r["decision"] == "reject"}
    rejected_any = {r["family"] for r in read_rows(review_csv) if r["decision"] == "reject" and r["firm_id"] == "*"}
    curated = read_rows(curated_csv)
    curated_families = {family_key(r["family"]) for r in curated}
    kept = [r for r in read_rows(derived_csv)
            if (r["family"], r["firm_id"]) not in rejected and r["family"] not in rejected_any
            and family_key(r["family"]) not in curated_families]
    rows = sorted(kept + curated, key=lambda r: (part_key(r["family"]), r["firm_id"]))
    with out_csv.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FAMILY_COLUMNS)
        for r in rows:
            writer.writerow([r[c] for c in FAMILY_COLUMNS])
    derived_total = len(read_rows(derived_csv))
    return len(kept), derived_total - len(kept), len(curated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kicad", type=Path, default=DEFAULT_KICAD, help="the pinned kicad-symbols copy (README.md and dcm/)")
    parser.add_argument("--domains", type=Path, default=HERE / "domains.csv")
    parser.add_argument("--libraries", type=Path, default=HERE / "libraries.csv")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the derived rows and counts go")
    parser.add_argument("--review", type=Path, default=HERE / "review.csv")
    parser.add_argument("--curated", type=Path, default=HERE / "curated_families.csv")
    parser.add_argument("--table", type=Path, default=ROOT / "reference" / "part_families.csv")
    args = parser.parse_args(argv)
    if not (args.kicad / "dcm").is_dir():
        print(f"error: no dcm/ folder in {args.kicad}; pass --kicad DIR (the pinned kicad-symbols copy)", file=sys.stderr)
        return 2
    commit = kicad_commit(args.kicad)
    parts = read_parts(args.kicad, load_domains(args.domains), load_libraries(args.libraries))
    too_broad = frozenset(r["family"] for r in read_rows(args.review) if r["decision"] == "too-broad")
    derived = derive(parts, too_broad)
    derived_csv = write_derived(derived, commit, args.out)
    kept, rejected, curated = build_table(derived_csv, args.review, args.curated, args.table)
    print(f"kicad-symbols @ {commit[:12]}: {len(parts)} parts, {sum(1 for p in parts if p.firm_id)} on a maker's domain; "
          f"{derived.held} held out")
    print(f"derived {len(derived.families)} families and {len(derived.multi)} multi-source numbers -> {derived_csv}")
    print(f"{args.table}: {kept} derived rows kept, {rejected} rejected in review, {curated} curated rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
