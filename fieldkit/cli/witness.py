"""`fieldkit witness checkpoint`: sign the catalog's audit head with your key, into the witness log."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import echo, pass_state, print_json
from fieldkit.cli.team import key_passphrase, passphrase_file_option


@click.group()
def witness() -> None:
    """Sign checkpoints of the audit head with your key (`witness checkpoint`)."""


@witness.command("checkpoint")
@passphrase_file_option
@click.option("--json", "as_json", is_flag=True, help="Print the signed record as JSON.")
@pass_state
def checkpoint(state, passphrase_file: Path | None, as_json: bool) -> None:
    """Sign the audit head with your key and add it to the witness log; `verify` then checks the signature."""
    from fieldkit.catalog import witness as witness_core
    from fieldkit.errors import FieldkitError
    from fieldkit.team import keys

    catalog = state.catalog(read_only=True, create=False)
    secret = keys.unlock(key_passphrase(passphrase_file))
    try:
        record = witness_core.checkpoint(catalog, secret)
    except OSError as exc:
        raise FieldkitError(f"cannot write the witness log {witness_core.witness_path()} ({exc.strerror or exc}); "
                            "check that its folder is writable") from None
    except ValueError as exc:
        raise FieldkitError(str(exc)) from None
    if as_json:
        print_json(record)
        return
    echo(f"signed the audit head: row {record['seq']}, fingerprint {witness_core.fingerprint(record['head'])}, "
         f"with key {secret.public.fingerprint}, in {witness_core.witness_path()}")
