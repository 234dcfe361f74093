"""Shared set-up for the team tests: researchers with keys, catalogs with real work, bundles."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from fieldkit.catalog import components as components_core
from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking
from fieldkit.evidence.photos import add_photos
from fieldkit.team import keys
from fieldkit.team.bundle import create_bundle, plain_file, read_bundle
from fieldkit.team.merge import merge_content

PASSPHRASE = "correct horse battery staple"


class Researcher:
    """One person: a config dir with her key, and her catalog."""

    def __init__(self, root: Path, name: str, monkeypatch, prefix: str):
        self.name, self.root, self.monkeypatch = name, root / name, monkeypatch
        self.root.mkdir()
        self.use()
        self.public = keys.new_key(PASSPHRASE, name=name)
        self.catalog = open_catalog(self.root / "catalog.db", actor=name)
        items.set_ref_prefix(self.catalog, prefix)
        self.photos = 0

    def use(self):
        """Act as this researcher (her config dir)."""
        self.monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(self.root / "config"))

    def trust(self, other: "Researcher"):
        self.use()
        keys.trust(other.public, other.name)

    def photo(self) -> Path:
        """A new small PNG, different from every other."""
        self.photos += 1
        path = self.root / f"photo{self.photos}.png"
        Image.new("RGB", (24, 16), (self.photos % 256, sum(map(ord, self.name)) % 256, 7)).save(path)
        return path

    def record(self, **fields) -> str:
        """An item with two photos, a marking and a component; returns its ref."""
        ref = items.add_item(self.catalog, {"category": "missile debris", **fields})["ref"]
        add_photos(self.catalog, ref, [self.photo(), self.photo()])
        add_marking(self.catalog, ref, "112")
        components_core.add_component(self.catalog, ref, {"part_number": "LM358", "manufacturer": "TI"})
        return ref

    def bundle(self, out: Path, **options) -> Path:
        self.use()
        create_bundle(self.catalog, out, secret=keys.unlock(PASSPHRASE), **options)
        return out

    def merge(self, path: Path, **options):
        """Check and merge a bundle as this researcher; returns the merge report."""
        self.use()
        identities = [keys.unlock(PASSPHRASE).age_identity]
        with plain_file(path, identities=identities, passphrase=options.pop("passphrase", None)) as plain:
            report, content = read_bundle(plain, allow_unsigned=options.pop("allow_unsigned", False))
            assert content is not None, report.problems
            return merge_content(self.catalog, content, signer=report.signer, fingerprint=report.fingerprint,
                                 unsigned=report.unsigned, **options)


def content_of(catalog) -> dict:
    """Everything a catalog holds, for comparing two: rows by table, with conflicted rows as the pair of versions."""
    from fieldkit.catalog import audit

    conflicted = {}
    for table, row_id, ours, theirs in catalog.db.execute(
            "SELECT table_name, row_id, ours_json, theirs_json FROM conflicts WHERE resolved_at IS NULL"):
        conflicted[(table, row_id)] = frozenset([ours, theirs])
    out = {}
    for table in audit.AUDITED_TABLES:
        rows = {}
        for row in catalog.db[table].rows:
            key = audit.row_key(table, row)
            rows[key] = conflicted.get((table, key), audit.to_json(row))
        out[table] = rows
    return out


def png_bytes(colour=(1, 2, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()
