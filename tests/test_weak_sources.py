"""Issue 13: a shipped reference row that cites a datasheet mirror or content farm is a problem for
`reference check` unless the row says that no primary source was found."""

from __future__ import annotations

import csv
import shutil

import pytest

from fieldkit.locations import shipped_reference_dir
from fieldkit.reference.tables import check_reference, clear_cache
from fieldkit.reference.weak_sources import weak_domains_cited, weak_source_problem


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    yield
    clear_cache()


def test_a_mirror_is_recognised_in_a_url_on_a_subdomain_and_by_name_but_not_inside_another_name():
    assert weak_domains_cited("read at https://pdf.datasheet.live/abc/ti.com/X.html") == ["datasheet.live"]
    assert weak_domains_cited("as mirrored at www.alldatasheet.com (page 4)") == ["alldatasheet.com"]
    assert weak_domains_cited("https://ro.scribd.com/document/1 ; https://dtsheet.com/doc/2") == ["scribd.com", "dtsheet.com"]
    assert weak_domains_cited("https://www.ti.com/document-viewer/TL431/datasheet ; https://github.com/x/y") == []
    assert weak_domains_cited("https://notscribd.com/doc") == []


def test_a_mirror_is_acceptable_only_where_the_row_says_no_primary_source_was_found():
    source = "Maker data sheet X, as mirrored at https://www.alldatasheet.com/view.jsp?x"
    why = weak_source_problem(source)
    assert why and "alldatasheet.com" in why and "no primary source found" in why
    assert weak_source_problem(source + " ; no primary source found (maker's copy not found); secondary: that copy") is None
    assert weak_source_problem("Maker data sheet X, https://www.maker.com/x.pdf") is None


def shipped_copy(tmp_path):
    folder = tmp_path / "shipped"
    shutil.copytree(shipped_reference_dir(), folder, ignore=shutil.ignore_patterns("build"))
    return folder


def set_source(path, key_column, key, source, column="source"):
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    hits = [r for r in rows if r[key_column] == key]
    assert len(hits) == 1
    hits[0][column] = source
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def source_problems(problems):
    return [p for p in problems if p.column in ("source", "notes")]


def test_the_shipped_tables_cite_no_mirror_without_saying_so():
    _, problems = check_reference()
    assert source_problems(problems) == []


def test_a_shipped_row_citing_a_content_farm_fails_the_check_and_passes_once_it_says_so(tmp_path):
    folder = shipped_copy(tmp_path)
    firm = "texas-instruments"
    set_source(folder / "manufacturers.csv", "id", firm, "TI 10-K, read at https://www.datasheetspdf.com/ti-10k")
    _, problems = check_reference(shipped_dir=folder)
    found = source_problems(problems)
    assert len(found) == 1
    assert found[0].path.name == "manufacturers.csv" and firm in found[0].message
    assert "datasheetspdf.com" in found[0].message

    clear_cache()
    set_source(folder / "manufacturers.csv", "id", firm,
               "TI 10-K ; no primary source found; secondary: copy at https://www.datasheetspdf.com/ti-10k")
    _, problems = check_reference(shipped_dir=folder)
    assert source_problems(problems) == []


def test_a_content_farm_cited_in_a_rows_notes_fails_the_check_too(tmp_path):
    """A note is read as part of the row's basis: a content farm there (as grokipedia once was, for
    Altera's and Nexperia's later owners) is held to the same rule as the source column."""
    folder = shipped_copy(tmp_path)
    set_source(folder / "manufacturers.csv", "id", "nexperia", "Owned by Wingtech (https://grokipedia.com/page/Nexperia)", column="notes")
    _, problems = check_reference(shipped_dir=folder)
    found = source_problems(problems)
    assert [(p.path.name, p.column) for p in found] == [("manufacturers.csv", "notes")]
    assert "nexperia" in found[0].message and "grokipedia.com" in found[0].message

    clear_cache()
    set_source(folder / "manufacturers.csv", "id", "nexperia",
               "Owned by Wingtech; no primary source found; secondary: https://grokipedia.com/page/Nexperia", column="notes")
    _, problems = check_reference(shipped_dir=folder)
    assert source_problems(problems) == []


def test_a_family_row_citing_a_mirror_is_named_too(tmp_path):
    folder = shipped_copy(tmp_path)
    set_source(folder / "part_families.csv", "family", "XC7Z", "AMD pinout page, copy at https://octopart.com/x")
    _, problems = check_reference(shipped_dir=folder)
    found = source_problems(problems)
    assert [p.path.name for p in found] == ["part_families.csv"] and "octopart.com" in found[0].message


def test_a_researchers_own_row_is_not_held_to_the_shipped_rule(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "manufacturers.csv").write_text(
        "id,firm,country,aliases,prefixes,former_names,source,notes\n"
        "acme-rf,Acme RF,US,ACME,,,data sheet read at https://www.alldatasheet.com/acme,\n", encoding="utf-8")
    _, problems = check_reference(user_dir=user)
    assert source_problems(problems) == []


def test_copies_of_filings_stock_portals_blogs_distributors_and_encyclopaedias_are_weak_too():
    # a prospectus read on a finance portal, an EDINET filing read through a copy, an EDGAR proxy
    assert weak_domains_cited("prospectus cover, copy at http://money.finance.sina.com.cn/corp/view/x.php") == ["finance.sina.com.cn"]
    assert weak_domains_cited("securities report (read as a copy at http://toushi.kankei.me/d/S100IR80)") == ["kankei.me"]
    assert weak_domains_cited("20-F via http://business.ricentral.com/ricentral/action/getedgarwindow?a=1") == ["ricentral.com"]
    # a press release reposted by a stock portal, a blog, a distributor, an encyclopaedia
    assert weak_domains_cited("https://stocktitan.net/news/DIOD/x.html") == ["stocktitan.net"]
    assert weak_domains_cited("https://raytodd.blog/2022/09/06/x/ ; https://ntchip.com/product/p_6") == ["raytodd.blog", "ntchip.com"]
    assert weak_domains_cited("https://encyclopedia.com/books/cts-corporation") == ["encyclopedia.com"]
    # the filing where it was filed, the maker's investor site and news by a named publisher are not
    assert weak_domains_cited("https://www.sec.gov/Archives/edgar/data/723125/x.htm ; https://ir.qorvo.com/node/16156/html") == []
    assert weak_domains_cited("https://evertiq.com/design/49208 ; https://uk.reuters.com/article/x") == []


def test_the_audit_tells_a_primary_row_from_a_tagged_one_and_a_silent_secondary_one():
    from importlib import util
    from pathlib import Path

    spec = util.spec_from_file_location("source_audit", Path(shipped_reference_dir()) / "build" / "source_audit.py")
    audit = util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    firm = {"id": "qorvo", "firm": "Qorvo", "aliases": "Qorvo|RFMD"}
    assert audit.classify("ir.qorvo.com", firm) == "maker"
    assert audit.classify("sec.gov", firm) == "regulator"
    assert audit.classify("quarterlytics.com", firm) == "weak"
    assert audit.classify("evertiq.com", firm) == "news"
    assert audit.classify("fierceelectronics.com", {"id": "renesas", "firm": "Renesas Electronics", "aliases": "Renesas"}) == "news"
    assert audit.row_standing({**firm, "source": "8-K/A https://ir.qorvo.com/node/16156/html"}) == "primary"
    assert audit.row_standing({**firm, "source": "https://evertiq.com/design/1"}) == "secondary"
    assert audit.row_standing({**firm, "source": "https://quarterlytics.com/q ; https://ir.qorvo.com/n"}) == "secondary"
    assert audit.row_standing({**firm, "source": "https://evertiq.com/design/1 ; no primary source read: news only"}) == "tagged"


def test_every_shipped_firm_row_cites_a_primary_source_or_says_it_has_none():
    from importlib import util
    from pathlib import Path

    spec = util.spec_from_file_location("source_audit", Path(shipped_reference_dir()) / "build" / "source_audit.py")
    audit = util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    _, _, standing, secondary = audit.audit(Path(shipped_reference_dir()) / "manufacturers.csv")
    assert secondary == []
    assert standing["secondary"] == 0 and standing["primary"] + standing["tagged"] > 400


def test_micron_dates_its_acquired_lines_from_its_own_filings():
    tables, _ = check_reference()
    micron = next(row for row in tables.manufacturers if row.id == "micron")
    assert "Numonyx@2010" in micron.former_names and "Elpida Memory@2013" in micron.former_names
    assert "sec.gov/Archives/edgar/data/723125/000072312513000133" in micron.source  # the Elpida closing 8-K


def test_a_wikipedia_mirror_is_weak_under_any_of_its_domains():
    """wikizero serves its Wikipedia copies under .net as well as .com: Elmos's notes cited
    https://wikizero.net/wiki/de/Elmos_Semiconductor as the basis of a fact and the check passed it."""
    assert weak_domains_cited("Wikipedia mirror https://wikizero.net/wiki/de/Elmos_Semiconductor") == ["wikizero.net"]


def test_no_primary_source_said_of_another_fact_in_the_notes_does_not_pass_a_content_farms_address(tmp_path):
    """Infineon's notes say 'no primary source read' of the year of a merger; a content farm's address
    given in another sentence as the basis of another fact was passed because of it. The words must be
    in the sentence that gives the address."""
    folder = shipped_copy(tmp_path)
    path = folder / "manufacturers.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        notes = next(r["notes"] for r in csv.DictReader(handle) if r["id"] == "infineon")
    assert "no primary source read" in notes
    set_source(path, "id", "infineon", notes + " HQ Neubiberg (https://grokipedia.com/page/Infineon).", column="notes")
    _, problems = check_reference(shipped_dir=folder)
    found = source_problems(problems)
    assert [(p.path.name, p.column) for p in found] == [("manufacturers.csv", "notes")]
    assert "infineon" in found[0].message and "grokipedia.com" in found[0].message
