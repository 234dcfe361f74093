"""`fieldkit key`, `bundle`, `merge` and `conflicts`: the team commands.

Passphrases: the key's comes from `--passphrase-file FILE`, `FIELDKIT_PASSPHRASE`, or a prompt;
a passphrase that encrypts a bundle or backup (`--passphrase`) is another secret, shared with the
recipient, so it comes from `--bundle-passphrase-file FILE`, `FIELDKIT_BUNDLE_PASSPHRASE`, or a prompt.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from fieldkit.cli.base import UserPath, echo, pass_state, print_json, print_table
from fieldkit.errors import FieldkitError

passphrase_file_option = click.option(
    "--passphrase-file", type=UserPath(path_type=Path, dir_okay=False),
    help="Read your key's passphrase from FILE (else FIELDKIT_PASSPHRASE, else a prompt).")
bundle_passphrase_file_option = click.option(
    "--bundle-passphrase-file", type=UserPath(path_type=Path, dir_okay=False),
    help="Read the bundle's own passphrase from FILE (else FIELDKIT_BUNDLE_PASSPHRASE, else a prompt).")


def _secret_from(file: Path | None, env: str, what: str, *, confirm: bool = False) -> str:
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise FieldkitError(f"cannot read the passphrase file {file} ({exc}); check the path") from None
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise FieldkitError(f"{what} is needed: set {env}, give it in a file, or run in a terminal to be asked")
    return click.prompt(what.capitalize(), hide_input=True, confirmation_prompt=confirm)


def key_passphrase(file: Path | None, *, confirm: bool = False) -> str:
    return _secret_from(file, "FIELDKIT_PASSPHRASE", "your key's passphrase", confirm=confirm)


def bundle_passphrase(file: Path | None, *, confirm: bool = False) -> str:
    return _secret_from(file, "FIELDKIT_BUNDLE_PASSPHRASE", "the bundle's passphrase", confirm=confirm)


@contextlib.contextmanager
def decrypted(path: Path, passphrase_file: Path | None, bundle_passphrase_file: Path | None) -> Iterator[Path]:
    """The bundle as plain bytes: itself, or decrypted with your key or the bundle's passphrase."""
    from fieldkit.team import crypt
    from fieldkit.team.bundle import is_zip, plain_file

    try:
        encrypted = crypt.is_encrypted(path)
    except OSError as exc:
        raise FieldkitError(f"cannot read {path}: {exc.strerror}; check the path") from None
    identities, passphrase = [], None
    if encrypted:
        identities, passphrase = crypt.opening_secrets(path, lambda: key_passphrase(passphrase_file),
                                                       lambda: bundle_passphrase(bundle_passphrase_file))
    with plain_file(path, identities=identities, passphrase=passphrase) as plain:
        if not is_zip(plain):
            raise FieldkitError(f"{path} is not a fieldkit bundle (neither a zip file nor age-encrypted); "
                                "give a .fkb file made by `fieldkit bundle create`, or a catalog file to merge")
        yield plain


def sealed_backup_command(state, dest: Path, recipients, with_passphrase: bool, bundle_passphrase_file):
    """`fieldkit backup DEST --encrypt-to ... | --passphrase`: the backup as one encrypted file."""
    from fieldkit.team import keys
    from fieldkit.team.sealed_backup import sealed_backup

    if recipients and with_passphrase:
        raise FieldkitError("use --encrypt-to or --passphrase, not both (age allows a passphrase only alone)")
    parsed = [keys.recipient(r) for r in recipients]
    passphrase = bundle_passphrase(bundle_passphrase_file, confirm=True) if with_passphrase else None
    return sealed_backup(state.catalog(create=False), dest, recipients=parsed, passphrase=passphrase)


# keys --------------------------------------------------------------------------------------


@click.group()
def key() -> None:
    """Your signing key (make, show) and the colleagues' keys you trust."""


def _show_public(public) -> None:
    echo(f"public key: {public.text}")
    echo(f"fingerprint: {public.fingerprint}")
    if public.age_recipient:
        echo(f"age recipient: {public.age_recipient}")


@key.command("new")
@click.option("--name", help="Your name, shown to colleagues who trust your key.")
@passphrase_file_option
def key_new(name: str | None, passphrase_file: Path | None) -> None:
    """Make your signing key (Ed25519) and age identity, sealed with a passphrase, in the config dir."""
    from fieldkit.team import keys

    public = keys.new_key(key_passphrase(passphrase_file, confirm=True), name=name)
    _show_public(public)
    echo(f"saved in {keys.key_path()}; give colleagues the lines above (`fieldkit key show > me.pub`)")


@key.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def key_show(as_json: bool) -> None:
    """Print your public key, its fingerprint and age recipient, and the keys you trust."""
    from fieldkit.team import keys

    public = keys.own_public()
    trusted = [{"name": k.name, "fingerprint": k.fingerprint, "age_recipient": k.age_recipient} for k in keys.trusted_keys()]
    if as_json:
        print_json({"public_key": public.text, "fingerprint": public.fingerprint,
                    "age_recipient": public.age_recipient, "name": public.name, "trusted": trusted})
        return
    _show_public(public)
    for k in trusted:
        echo(f"trusted: {k['name']}  {k['fingerprint']}")


@key.command("trust")
@click.argument("file", type=UserPath(path_type=Path, dir_okay=False, exists=True))
@click.option("--name", required=True, help="The colleague's name, e.g. hq or amina.")
def key_trust(file: Path, name: str) -> None:
    """Trust a colleague's public key, from a FILE saved from their `fieldkit key show`."""
    from fieldkit.team import keys

    trusted = keys.trust(keys.read_public_file(file), name)
    echo(f"trusted {trusted.name}: {trusted.fingerprint} (check it with them by another channel)")


# bundles -----------------------------------------------------------------------------------


@click.group()
def bundle() -> None:
    """Make and check signed (optionally encrypted) evidence bundles."""


@bundle.command("create")
@click.argument("out", type=UserPath(path_type=Path, dir_okay=False))
@click.option("--item", "refs", multiple=True, help="An item to include, by ref (repeatable).")
@click.option("--since", help="Items changed on or after this date (YYYY-MM-DD).")
@click.option("--all", "everything", is_flag=True, help="Every item, and the whole audit log.")
@click.option("--encrypt-to", "recipients", multiple=True,
              help="Encrypt to this age recipient (age1..., a trusted name, or a file holding one); repeatable.")
@click.option("--passphrase", "with_passphrase", is_flag=True, help="Encrypt with a passphrase instead.")
@click.option("--unsigned", is_flag=True, help="Do not sign (for a researcher without a key; merging it needs --allow-unsigned).")
@passphrase_file_option
@bundle_passphrase_file_option
@pass_state
def bundle_create(state, out: Path, refs, since, everything, recipients, with_passphrase, unsigned,
                  passphrase_file, bundle_passphrase_file) -> None:
    """Write the chosen items, their photos, markings, components and audit entries as one signed file OUT."""
    from fieldkit.team import keys
    from fieldkit.team.bundle import check_since, create_bundle, created_line

    check_since(since)  # before a passphrase is asked for
    if recipients and with_passphrase:
        raise FieldkitError("use --encrypt-to or --passphrase, not both (age allows a passphrase only alone)")
    catalog = state.catalog(create=False)
    parsed = [keys.recipient(r) for r in recipients]
    secret = None if unsigned else keys.unlock(key_passphrase(passphrase_file))
    passphrase = bundle_passphrase(bundle_passphrase_file, confirm=True) if with_passphrase else None
    manifest = create_bundle(catalog, out, refs=list(refs), since=since, everything=everything, secret=secret,
                             recipients=parsed, passphrase=passphrase)
    echo(created_line(out, manifest, secret, recipients=len(parsed), passphrase=passphrase is not None))


@bundle.command("verify")
@click.argument("file", type=UserPath(path_type=Path, dir_okay=False, exists=True))
@click.option("--allow-unsigned", is_flag=True, help="Do not count a missing signature as a problem.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@passphrase_file_option
@bundle_passphrase_file_option
def bundle_verify(file: Path, allow_unsigned: bool, as_json: bool, passphrase_file, bundle_passphrase_file) -> None:
    """Check a bundle's signature and every file's hash, and list what it holds; exit 1 on any problem."""
    from fieldkit.team.bundle import read_bundle

    with decrypted(file, passphrase_file, bundle_passphrase_file) as plain:
        report, _ = read_bundle(plain, shown=str(file), allow_unsigned=allow_unsigned,
                                how_to_allow="verify or merge it with --allow-unsigned")
    if as_json:
        print_json(report.to_json())
    else:
        for line in report.describe():
            echo(line)
    if not report.ok:
        sys.exit(1)


# merge and conflicts -----------------------------------------------------------------------


@click.command()
@click.argument("file", type=UserPath(path_type=Path, dir_okay=False, exists=True))
@click.option("--allow-unsigned", is_flag=True, help="Accept an unsigned bundle (the audit log records it).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@passphrase_file_option
@bundle_passphrase_file_option
@pass_state
def merge(state, file: Path, allow_unsigned: bool, as_json: bool, passphrase_file, bundle_passphrase_file) -> None:
    """Merge a bundle or another catalog FILE into this catalog: all or nothing; conflicts kept and listed."""
    from fieldkit.catalog.db import SQLITE_HEADER, is_catalog_file
    from fieldkit.team.bundle import read_bundle, read_catalog_file
    from fieldkit.team.merge import merge_content

    catalog = state.catalog(create=False)
    if is_catalog_file(catalog, file):  # checked before reading it: reading it would drop SQLite's locks
        raise FieldkitError("that is this catalog itself; give another catalog or a bundle")
    with open(file, "rb") as fh:
        is_catalog = fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if is_catalog:
        with read_catalog_file(file) as content:
            report = merge_content(catalog, content, source="catalog file", unsigned=True)
    else:
        with decrypted(file, passphrase_file, bundle_passphrase_file) as plain:
            checked, content = read_bundle(plain, shown=str(file), allow_unsigned=allow_unsigned)
            if content is None:
                for line in checked.describe():
                    echo(line, err=True)
                echo("error: the bundle was refused; nothing was merged", err=True)
                sys.exit(1)
            report = merge_content(catalog, content, signer=checked.signer, fingerprint=checked.fingerprint,
                                   unsigned=checked.unsigned)
    if as_json:
        print_json(report.to_json())
    else:
        for line in report.describe():
            echo(line)


@click.group(invoke_without_command=True)
@click.option("--all", "include_resolved", is_flag=True, help="Resolved conflicts too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def conflicts(ctx: click.Context, include_resolved: bool, as_json: bool) -> None:
    """List the rows that merges found changed on both sides; `conflicts resolve ID --keep ours|theirs`."""
    if ctx.invoked_subcommand is not None:
        return
    from fieldkit.team.conflicts import list_conflicts

    rows = list_conflicts(ctx.obj.catalog(create=False), include_resolved=include_resolved)
    if as_json:
        print_json(rows)
        return
    if not rows:
        echo("no open conflicts")
        return
    print_table([{**r, "id": r["id"][:8], "from": r["origin_catalog"][:8]} for r in rows],
                ["id", "label", "from", "opened_at", "resolution"])


@conflicts.command("resolve")
@click.argument("conflict_id", metavar="ID")
@click.option("--keep", required=True, type=click.Choice(["ours", "theirs"]), help="Which version to keep.")
@pass_state
def conflicts_resolve(state, conflict_id: str, keep: str) -> None:
    """Resolve one conflict by keeping our version or theirs (audited)."""
    from fieldkit.team.conflicts import resolve

    resolve(state.catalog(create=False), conflict_id, keep)
    echo(f"resolved {conflict_id}: kept {keep}")
