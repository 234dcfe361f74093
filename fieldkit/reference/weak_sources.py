"""Sources a court or a UN panel would not accept as primary: datasheet mirrors, document-hosting
content farms, copies of filings, and encyclopaedia mirrors.

A shipped reference row must cite what was read: the maker's own document, an SDK repository, a
filing where it was filed, a public library of record. Where only a copy could be found, the row says
so in plain words ("no primary source found; secondary: copy at ..."), and `reference check` accepts
it; a row that cites one of these domains without saying so is a problem (fieldkit.reference.tables).

The list is of domains met in this project's rows and named in issue 13 (alldatasheet, datasheetspdf,
datasheet4u, manualslib, octopart, findchips, componentsearch...), not a catalogue of the web; each domain
cited by a shipped row was classified once (reference/README.md, "Source domains"). News and trade press
(Reuters, EE Times, evertiq...) are secondary reporting by a named publisher, not mirrors: they are not on
the list, and the marking tables cite them by design. A
domain matches itself and its subdomains (`pdf.datasheet.live` is caught by `datasheet.live`).
"""

from __future__ import annotations

import re

WEAK_SOURCE_DOMAINS: frozenset[str] = frozenset({
    # datasheet mirrors and aggregators
    "alldatasheet.com", "datasheetspdf.com", "datasheet4u.com", "datasheet.live", "datasheet.directory",
    "datasheet.support", "datasheet.technology", "searchdatasheet.com", "datasheetandpdf.com", "dtsheet.com",
    "product.network", "pdf.support", "icpdf.com", "ic37.com", "elecfans.com", "eeworld.com.cn", "sheetsdata.com",
    "datasheet.jp", "octopart.com", "findchips.com", "componentsearchengine.com", "xonelec.com",
    # manual mirrors
    "manualslib.com", "manualshive.com", "manualmachine.com", "manualzz.com", "manualzilla.com", "manualspro.net",
    "manualshelf.com", "usermanual.wiki", "easymanua.ls",
    # document-hosting content farms
    "studylib.net", "docslib.org", "scribd.com", "dokumen.tips", "pdfslide.us", "pdfslide.net", "fdocuments.us",
    "fdocuments.in", "fdocuments.net", "vdocuments.mx", "vdocuments.site", "vdocuments.us", "vdocument.in",
    "documents.pub", "cupdf.com", "doczz.net", "abcdocz.com", "paperzz.com", "hobbydocbox.com", "9dok.net",
    "yumpu.com", "issuu.com", "pdfdrive.to", "ziliaoku.com",
    # copies of filings and annual reports (the filing itself is on sec.gov or the register)
    "quarterlytics.com", "annual-statements.com", "getfilings.com", "secinfo.com", "capedge.com", "docoh.com",
    "financialreports.eu",
    # copies of filings, prospectuses and regulatory announcements on stock portals, quote sites and EDGAR
    # proxies (the filing itself is on sec.gov, EDINET, cninfo/SSE/SZSE, the LSE's RNS or fcc.gov)
    "ricentral.com", "financialcontent.com", "edgar-online.com", "alphaminr.com", "finance.sina.com.cn",
    "stock.sohu.com", "stockstar.com", "10jqka.com.cn", "aijingu.com", "podms.com", "5etz.com", "elangshen.com",
    "apjn.cn", "kankei.me", "caridge.jp", "bttb.jp", "kabutan.jp", "astro-mdx-2013-test.pages.dev",
    "investegate.co.uk", "fcc.report", "advfn.com",
    # stock-market news portals and press-release aggregators (reposted releases, machine summaries)
    "marketscreener.com", "stocktitan.net", "benzinga.com", "seekingalpha.com", "stockopedia.com",
    "finance.yahoo.com", "chinastockmarketnews.com", "devdiscourse.com",
    # blogs, personal wikis and pages of no standing (authorship not established, SEO listicles)
    "raytodd.blog", "raytac.blog", "syslog.gr", "alienbabeltech.com", "kewl.org", "f-of-e.github.io",
    "reram-forum.com", "ki-news.online", "ns-businesshub.com", "epn.org", "theworldfolio.com", "simmtester.com",
    # distributors and sourcing sites reposting makers' news or documents
    "macroship-ic.com", "sekorm.com", "tamssemi.com", "ntchip.com",
    # encyclopaedias and their mirrors (secondary)
    "wikipedia.org", "wikimili.com", "wikizero.com", "wikizero.net", "piglix.com", "grokipedia.com", "encyclopedia.com",
    "historisches-lexikon.li",
})

NO_PRIMARY = re.compile(r"no primary source", re.IGNORECASE)
_DOMAIN = re.compile(r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])", re.IGNORECASE)


def weak_domains_cited(source: str) -> list[str]:
    """The listed domains a source text cites (in a URL or by name), in order, each once."""
    found: list[str] = []
    low = (source or "").lower()
    if not any(domain in low for domain in WEAK_SOURCE_DOMAINS):  # a quick first test: most sources cite none
        return found
    for match in _DOMAIN.finditer(source):
        labels = match.group(1).lower().rstrip(".").split(".")
        # the host and each domain it is under ("pdf.datasheet.live", "datasheet.live", "live")
        for domain in (".".join(labels[i:]) for i in range(len(labels) - 1)):
            if domain in WEAK_SOURCE_DOMAINS and domain not in found:
                found.append(domain)
    return found


def weak_source_problem(source: str) -> str | None:
    """Why this source is not acceptable as it stands, or None: it cites a mirror or content farm and
    does not say that no primary source was found."""
    cited = weak_domains_cited(source)
    if not cited or NO_PRIMARY.search(source or ""):
        return None
    return (f"cites {', '.join(cited)}, a mirror, content farm or secondary copy; cite the maker's own document "
            "(or the filing where it was filed), or say 'no primary source found; secondary: ...'")


_ADDRESS = re.compile(r"https?://\S+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def weak_note_problem(notes: str) -> str | None:
    """The same rule for a row's notes, on the addresses they cite: a note may name a citation that was
    removed ("wikimili.com ... removed in the sources pass"), but an address it gives as a basis for a
    fact (a content farm's page on a later owner) must come with 'no primary source' in the same
    sentence: a note says so of one fact (a year) and may give another on a good source."""
    problems = []
    for sentence in _SENTENCE_END.split(notes or ""):
        addresses = _ADDRESS.findall(sentence)
        if addresses and not NO_PRIMARY.search(sentence):
            problems += weak_domains_cited(" ; ".join(addresses))
    cited = list(dict.fromkeys(problems))
    return weak_source_problem(" ; ".join(cited)) if cited else None
