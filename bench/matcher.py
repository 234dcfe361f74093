"""Benchmark the marking matcher: strings per second against the shipped tables and 10,000 synthetic
patterns, with a baseline in the same run (the same readings and candidates, but every pattern tried
on every reading: none of the matcher's shortcuts) and the ratio. Before measuring, it checks that
both give the same candidates on part of the corpus.

    .venv/bin/python bench/matcher.py [--seconds 2]

Throughput is reported per CPU-second of this process (time.process_time), which is stable when
other programs share the machine, and per wall-clock second. Paste the output into
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.markings.matcher import Matcher  # noqa: E402
from fieldkit.markings.normalize import normalize  # noqa: E402
from fieldkit.reference.tables import PatternRow, ReferenceTables, load_reference  # noqa: E402
from machine import cpu_model  # noqa: E402  (bench/ is on sys.path when a script runs)

TODAY = dt.date(2025, 6, 1)


class NaiveMatcher(Matcher):
    """The baseline: the same readings and candidates, but every pattern tried on every reading
    with finditer -- none of Matcher.match's shortcuts (literal prefilter, U/Y twins, search first)."""

    def match(self, text, today=None):
        norm = normalize(text)
        results = {}
        for reading in self._variants(norm):
            for compiled in self.patterns:
                for m in compiled.regex.finditer(reading.text):
                    key = (compiled.row.id, m.start(), m.end())
                    if m.end() > m.start() and key not in results:
                        results[key] = self._candidate(compiled, m, norm, reading, today)
        return sorted(results.values(), key=lambda c: (-c.score, c.start, self.order[c.pattern_id]))


def same_candidates(fast: Matcher, naive: Matcher, strings: list[str]) -> bool:
    """Both matchers give the same candidates (the check tests/test_matcher.py makes at length)."""
    return all([c.to_json() for c in fast.match(s, TODAY)] == [c.to_json() for c in naive.match(s, TODAY)]
               for s in strings)


def corpus(tables: ReferenceTables, n: int, rng: random.Random) -> list[str]:
    """Marking-like strings: every pattern's examples, some with OCR slips, and random noise."""
    examples = [p.example_positive for p in tables.patterns if p.example_positive]
    examples += [p.example_negative for p in tables.patterns if p.example_negative]
    examples += ["9М22У 4-23", "9M22U 4-23", "1I2", "LC 8O", "M214 Герань-2"]
    alphabet = string.ascii_uppercase + string.digits + " -/"
    out = []
    for i in range(n):
        if i % 2:
            out.append(rng.choice(examples))
        else:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(4, 16))).strip() or "X")
    return out


def synthetic_tables(shipped: ReferenceTables, count: int, rng: random.Random) -> tuple[ReferenceTables, list[str]]:
    """`count` made-up patterns, each with a distinct literal prefix, plus strings that hit some."""
    rows, prefixes = list(shipped.patterns), set()
    while len(prefixes) < count:
        prefixes.add("".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 5))))
    for i, prefix in enumerate(sorted(prefixes)):
        regex = rf"\b{prefix}-?(?P<serial>\d{{3,4}})\b"
        rows.append(PatternRow.model_construct(
            id=f"synthetic-{i:05d}", regex=regex, year_calendar="", country="", producer="", category="test",
            description="synthetic", example_positive="", example_negative="", source="bench", confidence_notes="Low",
        ))
    tables = ReferenceTables(
        rows={"patterns": rows, "factory_codes": shipped.factory_codes, "manufacturers": shipped.manufacturers},
        overridden={}, added={}, files=[], version="synthetic", origin={},
    )
    hits = [f"{p}-{rng.randint(100, 9999)}" for p in rng.sample(sorted(prefixes), 200)]
    return tables, hits


def measure(fn, strings: list[str], seconds: float) -> tuple[float, float, int]:
    """(strings per CPU-second, strings per wall-second, strings run)."""
    done, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while True:
        for s in strings:
            fn(s, TODAY)
        done += len(strings)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if cpu >= seconds:
            return done / cpu, done / wall, done


def naive_regex_loop(patterns: list[re.Pattern]):
    def run(text, _today):
        norm = normalize(text).text
        return [p for p in patterns if p.search(norm)]
    return run




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per measurement")
    args = parser.parse_args()
    rng = random.Random(6)
    shipped = load_reference(None)
    strings = corpus(shipped, 2000, rng)

    print(f"date: {dt.date.today().isoformat()}  cpu: {cpu_model()}  nproc: {os.cpu_count()}  "
          f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  python: {sys.version.split()[0]}")
    print(f"corpus: {len(strings)} strings (half pattern examples and OCR slips, half random noise)")
    print()
    print("| tables | matcher | strings/CPU-s | strings/wall-s | ratio to baseline |")
    print("| --- | --- | ---: | ---: | ---: |")

    fast = Matcher(shipped)
    naive = NaiveMatcher(shipped)
    assert same_candidates(fast, naive, strings[:400])
    f_cpu, f_wall, _ = measure(fast.match, strings, args.seconds)
    n_cpu, n_wall, _ = measure(naive.match, strings, args.seconds)
    r_cpu, r_wall, _ = measure(naive_regex_loop([p.compiled() for p in shipped.patterns]), strings, args.seconds)
    label = f"shipped ({len(shipped.patterns)} patterns)"
    print(f"| {label} | fieldkit Matcher | {f_cpu:,.0f} | {f_wall:,.0f} | {f_cpu / n_cpu:.2f}x |")
    print(f"| {label} | baseline: every pattern on every reading, same candidates | {n_cpu:,.0f} | {n_wall:,.0f} | 1.00x |")
    print(f"| {label} | floor: normalise + re.search every pattern, no candidates | {r_cpu:,.0f} | {r_wall:,.0f} | {r_cpu / n_cpu:.2f}x |")

    synthetic, hits = synthetic_tables(shipped, 10_000, rng)
    syn_strings = strings[:800] + hits
    fast = Matcher(synthetic)
    naive = NaiveMatcher(synthetic)
    assert same_candidates(fast, naive, syn_strings[:20] + syn_strings[-20:])
    f_cpu, f_wall, _ = measure(fast.match, syn_strings, args.seconds)
    n_cpu, n_wall, _ = measure(naive.match, syn_strings[:100], args.seconds)
    label = f"shipped + 10,000 synthetic ({len(synthetic.patterns)} patterns)"
    print(f"| {label} | fieldkit Matcher | {f_cpu:,.0f} | {f_wall:,.0f} | {f_cpu / n_cpu:.0f}x |")
    print(f"| {label} | baseline: every pattern on every reading, same candidates | {n_cpu:,.0f} | {n_wall:,.0f} | 1x |")


if __name__ == "__main__":
    main()
