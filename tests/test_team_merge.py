"""Merging researchers' bundles at headquarters: every row, photo and audit entry arrives, conflicts
are kept and resolved, refs that clash are renamed, and every catalog still verifies."""

from __future__ import annotations

import json

import pytest

from fieldkit.catalog import items
from fieldkit.catalog.meta import catalog_id
from fieldkit.errors import FieldkitError
from fieldkit.evidence.verify import verify_catalog
from fieldkit.team import conflicts
from fieldkit.team.provenance import item_provenance

from team_helpers import Researcher, content_of


@pytest.fixture
def team(tmp_path, monkeypatch):
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    boris = Researcher(tmp_path, "boris", monkeypatch, "BO")
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    hq.trust(amina)
    hq.trust(boris)
    amina.trust(hq)
    yield amina, boris, hq
    for person in (amina, boris, hq):
        person.catalog.close()


def rows(catalog, table):
    return {json.dumps(r, sort_keys=True) for r in catalog.db[table].rows}


def test_headquarters_merges_two_researchers_and_a_conflict_is_resolved(team, tmp_path):
    amina, boris, hq = team
    a1 = amina.record(place="Kharkiv")
    amina.record(place="Kyiv")
    boris.record(place="Zaporizhzhia")
    hq.merge(amina.bundle(tmp_path / "amina.fkb", everything=True))
    hq.merge(boris.bundle(tmp_path / "boris.fkb", everything=True))

    for table in ("items", "photos", "item_photos", "markings", "components"):
        assert rows(hq.catalog, table) == rows(amina.catalog, table) | rows(boris.catalog, table), table
    for person in (amina, boris):
        for photo in person.catalog.db["photos"].rows:
            assert (hq.catalog.photo_store / photo["stored_path"]).read_bytes() == \
                (person.catalog.photo_store / photo["stored_path"]).read_bytes()
        origin = catalog_id(person.catalog.db)
        fields = "seq, at, actor, action, table_name, row_id, before_json, after_json, prev_hash, hash"
        theirs = person.catalog.db.execute(f"SELECT {fields} FROM audit ORDER BY seq").fetchall()
        kept = hq.catalog.db.execute(
            f"SELECT {fields} FROM foreign_audit WHERE origin_catalog = ? ORDER BY seq", [origin]).fetchall()
        assert kept == theirs  # every entry as its origin wrote it
    # who recorded what: item provenance names the laptop and the researcher
    item_id = items.get_item(hq.catalog, a1)["id"]
    origins = item_provenance(hq.catalog.db, item_id)
    assert {(o["signer"], o["actor"]) for o in origins if o["signer"] != "this catalog"} == {("amina", "amina")}

    # both sides now edit the same item
    items.update_item(hq.catalog, a1, {"notes": "HQ: cross-checked with the CAR report"})
    items.update_item(amina.catalog, a1, {"notes": "found beside the crater"})
    report = hq.merge(amina.bundle(tmp_path / "amina2.fkb", refs=[a1]))
    assert len(report.conflicts) == 1
    (open_conflict,) = conflicts.list_conflicts(hq.catalog)
    assert json.loads(open_conflict["ours_json"])["notes"] == "HQ: cross-checked with the CAR report"
    assert json.loads(open_conflict["theirs_json"])["notes"] == "found beside the crater"
    assert items.get_item(hq.catalog, a1)["notes"] == "HQ: cross-checked with the CAR report"  # not resolved silently

    conflicts.resolve(hq.catalog, open_conflict["id"][:8], "theirs")
    assert items.get_item(hq.catalog, a1)["notes"] == "found beside the crater"
    assert conflicts.list_conflicts(hq.catalog) == []
    actions = [r[0] for r in hq.catalog.db.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 2")]
    assert actions == ["resolve", "resolve-theirs"]
    for person in (amina, boris, hq):
        assert verify_catalog(person.catalog).problems == []


def test_a_change_on_one_side_only_is_taken_without_conflict(team, tmp_path):
    amina, _, hq = team
    ref = amina.record()
    hq.merge(amina.bundle(tmp_path / "1.fkb", everything=True))
    items.update_item(amina.catalog, ref, {"custody": "SBU evidence store"})
    report = hq.merge(amina.bundle(tmp_path / "2.fkb", everything=True))
    assert report.conflicts == [] and report.updated["items"] == 1
    assert items.get_item(hq.catalog, ref)["custody"] == "SBU evidence store"
    # HQ edits after that; an older bundle from amina does not undo it, nor conflict
    items.update_item(hq.catalog, ref, {"custody": "HQ vault"})
    report = hq.merge(amina.bundle(tmp_path / "3.fkb", refs=[ref]))
    assert report.conflicts == [] and items.get_item(hq.catalog, ref)["custody"] == "HQ vault"
    assert verify_catalog(hq.catalog).problems == []


def test_merging_the_same_bundle_twice_changes_nothing(team, tmp_path):
    amina, _, hq = team
    amina.record()
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    hq.merge(bundle)
    before = content_of(hq.catalog), hq.catalog.db.execute("SELECT count(*) FROM audit").fetchone()
    assert hq.merge(bundle).already_merged
    assert (content_of(hq.catalog), hq.catalog.db.execute("SELECT count(*) FROM audit").fetchone()) == before


def test_a_clashing_ref_is_renamed_audited_and_the_uuid_kept(team, tmp_path):
    amina, boris, hq = team
    items.set_ref_prefix(boris.catalog, "AM")  # both laptops make AM-0001
    a = amina.record()
    b = boris.record()
    assert a == b == "AM-0001"
    hq.merge(amina.bundle(tmp_path / "a.fkb", everything=True))
    report = hq.merge(boris.bundle(tmp_path / "b.fkb", everything=True))
    assert report.renamed == [("AM-0001", "HQ-0001")]
    boris_item = items.get_item(boris.catalog, b)
    renamed = items.get_item(hq.catalog, "HQ-0001")
    assert renamed["id"] == boris_item["id"] and renamed["place"] == boris_item["place"]
    assert hq.catalog.db.execute(
        "SELECT count(*) FROM audit WHERE action = 'merge-ref-renamed' AND row_id = ?", [renamed["id"]]).fetchone()[0] == 1
    # the same bundle again, or boris's next one without changes, does not rename again or conflict
    report = hq.merge(boris.bundle(tmp_path / "b2.fkb", refs=[b]))
    assert report.conflicts == [] and report.renamed == []
    assert verify_catalog(hq.catalog).problems == []


def test_a_merge_is_all_or_nothing(team, tmp_path, monkeypatch):
    amina, _, hq = team
    amina.record()
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    before = content_of(hq.catalog)
    import fieldkit.team.merge as merge_module

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(merge_module, "_keep_foreign", fail)
    with pytest.raises(OSError):
        hq.merge(bundle)
    assert content_of(hq.catalog) == before
    assert list(hq.catalog.photo_store.rglob("*.png")) == []  # the copied originals were taken back
    assert verify_catalog(hq.catalog).problems == []


def test_a_catalog_file_merges_like_a_bundle(team, tmp_path):
    from fieldkit.team.bundle import read_catalog_file
    from fieldkit.team.merge import merge_content

    amina, _, hq = team
    amina.record()
    with read_catalog_file(amina.catalog.path) as content:
        report = merge_content(hq.catalog, content, source="catalog file", unsigned=True)
    assert report.added["items"] == 1 and report.photos_copied == 2
    assert rows(hq.catalog, "photos") == rows(amina.catalog, "photos")
    assert verify_catalog(hq.catalog).problems == []


def test_a_catalog_cannot_merge_its_own_bundle(team, tmp_path):
    amina, _, _ = team
    amina.record()
    with pytest.raises(FieldkitError, match="this very catalog"):
        amina.merge(amina.bundle(tmp_path / "a.fkb", everything=True))


def test_a_rewritten_origin_chain_is_refused(team, tmp_path):
    amina, _, hq = team
    amina.record()
    hq.merge(amina.bundle(tmp_path / "a.fkb", everything=True))
    # amina's laptop is rebuilt with a forged log that reuses the same seqs
    amina.catalog.db.execute("UPDATE audit SET actor = 'someone else'")
    from fieldkit.catalog import audit

    prev = audit.GENESIS
    for entry in [dict(r) for r in amina.catalog.db["audit"].rows]:
        entry["prev_hash"] = prev
        entry["hash"] = prev = audit.row_hash(entry)
        amina.catalog.db["audit"].update(entry["seq"], entry)
    amina.catalog.db.conn.commit()
    before = content_of(hq.catalog)
    with pytest.raises(FieldkitError, match="rewritten"):
        hq.merge(amina.bundle(tmp_path / "forged.fkb", everything=True))
    assert content_of(hq.catalog) == before


def test_verify_finds_an_edited_merged_entry(team, tmp_path):
    amina, _, hq = team
    amina.record()
    hq.merge(amina.bundle(tmp_path / "a.fkb", everything=True))
    hq.catalog.db.execute("UPDATE foreign_audit SET actor = 'mallory' WHERE seq = 2")
    hq.catalog.db.conn.commit()
    problems = verify_catalog(hq.catalog).problems
    assert any("changed after its origin wrote it" in p.detail for p in problems)


def test_a_catalog_file_whose_photo_path_leaves_the_store_is_refused(team, tmp_path):
    from fieldkit.team.bundle import read_catalog_file
    from fieldkit.team.merge import merge_content

    amina, _, hq = team
    amina.record()
    with read_catalog_file(amina.catalog.path) as content:
        content.rows["photos"][0]["stored_path"] = "../../../outside.png"
        with pytest.raises(FieldkitError, match="not its SHA-256"):
            merge_content(hq.catalog, content, source="catalog file", unsigned=True)
    assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_a_symlink_in_the_other_catalogs_store_is_not_followed(team, tmp_path):
    from fieldkit.team.bundle import read_catalog_file
    from fieldkit.team.merge import merge_content

    amina, _, hq = team
    amina.record()
    photo = next(amina.catalog.db["photos"].rows)
    original = amina.catalog.photo_store / photo["stored_path"]
    moved = tmp_path / "elsewhere.png"
    moved.write_bytes(original.read_bytes())
    original.chmod(0o600)
    original.unlink()
    original.symlink_to(moved)
    with read_catalog_file(amina.catalog.path) as content:
        with pytest.raises(FieldkitError, match="cannot be read"):
            merge_content(hq.catalog, content, source="catalog file", unsigned=True)
    assert hq.catalog.db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_the_same_photo_from_two_laptops_is_stored_once(team, tmp_path):
    """Two researchers photographed with the same file (a shared camera card): one original, both links."""
    from fieldkit.evidence.photos import add_photos

    amina, boris, hq = team
    shared = amina.photo()
    a = amina.record()
    b = boris.record()
    add_photos(amina.catalog, a, [shared])
    add_photos(boris.catalog, b, [shared])
    hq.merge(amina.bundle(tmp_path / "a.fkb", everything=True))
    hq.merge(boris.bundle(tmp_path / "b.fkb", everything=True))
    sha = next(amina.catalog.db["photos"].rows_where("original_name = ?", [shared.name]))["sha256"]
    (photo_id,) = hq.catalog.db.execute("SELECT id FROM photos WHERE sha256 = ?", [sha]).fetchone()
    linked = {r[0] for r in hq.catalog.db.execute(
        "SELECT items.ref FROM item_photos JOIN items ON items.id = item_id WHERE photo_id = ?", [photo_id])}
    assert linked == {a, b}
    assert hq.catalog.db.execute("SELECT count(*) FROM audit WHERE action = 'merge-photo-remap'").fetchone()[0] == 1
    report = hq.merge(boris.bundle(tmp_path / "b2.fkb", refs=[b]))
    assert report.conflicts == [] and not report.added and not report.updated
    assert verify_catalog(hq.catalog).problems == []


def lookup_texts(catalog) -> dict[str, dict[str, str]]:
    """Each lookup table as {id: text}."""
    return {"attribution_bases": dict(catalog.db.execute("SELECT id, basis FROM attribution_bases")),
            "reference_versions": dict(catalog.db.execute("SELECT id, version FROM reference_versions"))}


def test_imported_components_travel_with_their_bases_through_three_catalogs(team, tmp_path):
    """Both researchers bulk-import parts and add one by hand, some with the same basis, some with their
    own; headquarters gets every part referring to the right basis, and sends the lot back."""
    from fieldkit.catalog import components as components_core
    from fieldkit.components.importer import import_components

    amina, boris, hq = team
    refs = {}
    for person, brand in ((amina, "Acme Kharkiv"), (boris, "Zenit Odesa")):
        refs[person.name] = person.record()  # LM358 by TI, the same basis on both laptops
        sheet = tmp_path / f"{person.name}.csv"
        sheet.write_text(f"part_number,manufacturer,quantity\nLM358,TI,2\nQX{person.name},{brand},1\n", encoding="utf-8")
        assert import_components(person.catalog, refs[person.name], sheet).imported == 2
        components_core.add_component(person.catalog, refs[person.name], {"part_number": "QQ1", "manufacturer": brand})
    a_texts, b_texts = lookup_texts(amina.catalog), lookup_texts(boris.catalog)
    shared = a_texts["attribution_bases"].keys() & b_texts["attribution_bases"].keys()
    assert shared and {a_texts["attribution_bases"][k] for k in shared} == {b_texts["attribution_bases"][k] for k in shared}
    assert a_texts["attribution_bases"].keys() - shared and b_texts["attribution_bases"].keys() - shared  # each has its own too

    hq.merge(amina.bundle(tmp_path / "amina.fkb", everything=True))
    hq.merge(boris.bundle(tmp_path / "boris.fkb", refs=[refs["boris"]]))
    for table in ("components", "attribution_bases", "reference_versions", "photo_provenance"):
        assert rows(hq.catalog, table) == rows(amina.catalog, table) | rows(boris.catalog, table), table
    for person in (amina, boris):  # each part still names the basis it was attributed with
        for ref in refs.values():
            if person.catalog.db.execute("SELECT 1 FROM items WHERE ref = ?", [ref]).fetchone():
                there = sorted((c["id"], c["attribution"]["basis"]) for c in components_core.list_components(person.catalog, ref))
                here = sorted((c["id"], c["attribution"]["basis"]) for c in components_core.list_components(hq.catalog, ref))
                assert here == there and all(basis for _, basis in here)

    back = hq.bundle(tmp_path / "hq.fkb", everything=True)
    amina.trust(hq)
    report = amina.merge(back)
    assert report.added["components"] == 4 and report.conflicts == []  # boris's: one added, two imported, one more
    assert lookup_texts(amina.catalog) == lookup_texts(hq.catalog)
    assert rows(amina.catalog, "components") == rows(hq.catalog, "components")
    assert amina.merge(back).already_merged
    for person in (amina, boris, hq):
        assert verify_catalog(person.catalog).problems == []


@pytest.fixture
def attribution_conflict(team, tmp_path):
    """A component changed on both sides to parts attributed to different firms, on different bases:
    (hq, the open conflict, ours, theirs)."""
    from fieldkit.catalog import components as components_core

    amina, _, hq = team
    ref = amina.record(place="Kharkiv")
    hq.merge(amina.bundle(tmp_path / "first.fkb", everything=True))
    (component,) = components_core.list_components(amina.catalog, ref)
    components_core.update_component(hq.catalog, component["id"], {"part_number": "ADXL345", "manufacturer": None,
                                                                     "notes": "HQ read"})
    components_core.update_component(amina.catalog, component["id"], {"part_number": "ATMEGA328P", "manufacturer": None,
                                                                        "notes": "field read"})
    hq.merge(amina.bundle(tmp_path / "second.fkb", refs=[ref]))
    (conflict,) = conflicts.list_conflicts(hq.catalog)
    ours, theirs = json.loads(conflict["ours_json"]), json.loads(conflict["theirs_json"])
    assert ours["firm_id"] and theirs["firm_id"] and ours["firm_id"] != theirs["firm_id"]
    assert ours["basis_id"] and theirs["basis_id"] and ours["basis_id"] != theirs["basis_id"]
    return hq, conflict, ours, theirs


def test_the_draft_union_of_two_attributions_joins_text_but_never_ids_and_keeps_one_sides_attribution(attribution_conflict):
    _, _, ours, theirs = attribution_conflict
    draft = conflicts.draft_union("components", ours, theirs)
    assert draft["notes"] == "HQ read / field read"
    for name in draft:
        if name == "id" or name.endswith("_id"):
            assert draft[name] == ours[name], name
    for name in conflicts.COMPONENT_ATTRIBUTION:
        assert draft[name] == ours[name], name


def test_an_edited_union_with_joined_attribution_ids_is_refused_in_one_line(attribution_conflict):
    """The draft the app used to make joined every text field that differs, ids included."""
    hq, conflict, ours, theirs = attribution_conflict
    joined = {**ours, **{name: f"{ours[name]} / {theirs[name]}" for name in ("firm_id", "basis_id", "manufacturer")}}
    with pytest.raises(FieldkitError) as refused:
        conflicts.resolve(hq.catalog, conflict["id"], "edited", joined)
    message = str(refused.value)
    assert "\n" not in message and "firm_id" in message and "ours or theirs" in message
    assert conflicts.list_conflicts(hq.catalog)[0]["id"] == conflict["id"]  # still open, nothing written
    assert verify_catalog(hq.catalog).problems == []


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_an_edited_union_keeps_the_joined_notes_and_the_attribution_of_the_side_picked(attribution_conflict, side):
    from fieldkit.catalog import components as components_core

    hq, conflict, ours, theirs = attribution_conflict
    picked = {"ours": ours, "theirs": theirs}[side]
    edited = {**conflicts.draft_union("components", ours, theirs),
              **{name: picked[name] for name in conflicts.COMPONENT_ATTRIBUTION}}
    conflicts.resolve(hq.catalog, conflict["id"], "edited", edited)
    row = components_core.get_component(hq.catalog, ours["id"])
    assert row["notes"] == "HQ read / field read"
    assert {name: row[name] for name in conflicts.COMPONENT_ATTRIBUTION} == \
        {name: picked[name] for name in conflicts.COMPONENT_ATTRIBUTION}
    assert hq.catalog.db.execute("SELECT 1 FROM attribution_bases WHERE id = ?", [row["basis_id"]]).fetchone()
    assert verify_catalog(hq.catalog).problems == []
