"""A researcher's keys and the colleagues' keys she trusts, kept in the user config dir.

`key.json` holds her Ed25519 signing key (it signs bundle manifests) and her age X25519 identity
(bundles and backups encrypted to her open with it). Both secrets are sealed with a key derived
from her passphrase (Argon2id, then XSalsa20-Poly1305 through PyNaCl's SecretBox); only the public
halves are stored in the clear. No secret ever enters a catalog or a bundle.

`trusted.json` holds the public keys of colleagues, each under a name: a bundle signed by one of
them verifies as theirs, and a name can be given to `--encrypt-to`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.errors import FieldkitError
from fieldkit.locations import config_dir
from fieldkit.paths import expand_user

KEY_FILE = "key.json"
TRUSTED_FILE = "trusted.json"
KEY_FORMAT = "fieldkit-key/1"
PUBLIC_PREFIX = "fieldkit-ed25519:"


class KeyProblem(FieldkitError):
    """No key, a wrong passphrase, or a key file that cannot be read."""


@dataclass(frozen=True)
class PublicKey:
    """A signer's public key, as shown by `key show` and recorded by `key trust`."""

    verify_key: bytes  # 32 bytes of Ed25519 public key
    age_recipient: str | None = None
    name: str | None = None

    @property
    def text(self) -> str:
        return PUBLIC_PREFIX + base64.b64encode(self.verify_key).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.verify_key)


@dataclass(frozen=True)
class SecretKey:
    """The unsealed secrets: only in memory, for as long as a command needs them."""

    public: PublicKey
    signing_seed: bytes
    age_identity: str

    def sign(self, message: bytes) -> bytes:
        from nacl.signing import SigningKey

        return SigningKey(self.signing_seed).sign(message).signature


def fingerprint(verify_key: bytes) -> str:
    """A short name for a public key: the first 16 bytes of its SHA-256, in groups of four hex digits."""
    digest = hashlib.sha256(verify_key).hexdigest()[:32]
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def parse_public(text: str) -> bytes:
    """The 32 key bytes of a `fieldkit-ed25519:...` public key; raise if it is not one."""
    text = text.strip()
    if not text.startswith(PUBLIC_PREFIX):
        raise KeyProblem(f"{text[:40]!r} is not a fieldkit public key (it starts with {PUBLIC_PREFIX})")
    try:
        raw = base64.b64decode(text[len(PUBLIC_PREFIX):], validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise KeyProblem("the public key is damaged (it is not 32 bytes of base64); copy it again")
    return raw


def _derive(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
    from nacl.pwhash import argon2id
    from nacl.secret import SecretBox

    return argon2id.kdf(SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=ops, memlimit=mem)


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write a JSON file readable by its owner only, replacing the old one in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KeyProblem(f"{path} cannot be read ({exc}); restore it from a backup or move it away") from None
    if not isinstance(data, dict):
        raise KeyProblem(f"{path} is not a fieldkit key file; move it away")
    return data


def key_path() -> Path:
    return config_dir() / KEY_FILE


def new_key(passphrase: str, *, name: str | None = None, replace: bool = False) -> PublicKey:
    """Make a new signing key and age identity, sealed with `passphrase`; refuse to overwrite one."""
    import nacl.utils
    import pyrage
    from nacl.pwhash import argon2id
    from nacl.secret import SecretBox
    from nacl.signing import SigningKey

    if not passphrase:
        raise KeyProblem("the passphrase is empty; give one (it protects your secret key)")
    path = key_path()
    if path.exists() and not replace:
        raise KeyProblem(f"you already have a key ({path}); `fieldkit key show` prints it")
    signing = SigningKey.generate()
    identity = pyrage.x25519.Identity.generate()
    salt = nacl.utils.random(argon2id.SALTBYTES)
    ops, mem = argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE
    secrets = json.dumps({"signing_seed": base64.b64encode(bytes(signing)).decode(), "age_identity": str(identity)})
    sealed = SecretBox(_derive(passphrase, salt, ops, mem)).encrypt(secrets.encode("utf-8"))
    public = PublicKey(bytes(signing.verify_key), str(identity.to_public()), name)
    _write_private(path, {
        "format": KEY_FORMAT, "name": name, "public_key": public.text, "age_recipient": public.age_recipient,
        "fingerprint": public.fingerprint, "kdf": {"name": "argon2id", "salt": salt.hex(), "opslimit": ops, "memlimit": mem},
        "sealed": base64.b64encode(sealed).decode("ascii"),
    })
    return public


def _load_key_file() -> dict[str, Any]:
    path = key_path()
    if not path.exists():
        raise KeyProblem(f"no key in {path.parent}; make one with `fieldkit key new`")
    data = _read_json(path)
    if data.get("format") != KEY_FORMAT:
        raise KeyProblem(f"{path} is not a fieldkit key file; move it away")
    return data


def own_public() -> PublicKey:
    """This researcher's public key (no passphrase needed)."""
    data = _load_key_file()
    return PublicKey(parse_public(data["public_key"]), data.get("age_recipient"), data.get("name"))


def has_key() -> bool:
    return key_path().exists()


def unlock(passphrase: str) -> SecretKey:
    """The secret key, unsealed with `passphrase`; a wrong passphrase is one clear error."""
    from nacl.exceptions import CryptoError
    from nacl.secret import SecretBox

    data = _load_key_file()
    kdf = data["kdf"]
    try:
        box = SecretBox(_derive(passphrase, bytes.fromhex(kdf["salt"]), int(kdf["opslimit"]), int(kdf["memlimit"])))
        secrets = json.loads(box.decrypt(base64.b64decode(data["sealed"])))
    except CryptoError:
        raise KeyProblem("wrong passphrase for your key; try again (FIELDKIT_PASSPHRASE or --passphrase-file)") from None
    except (KeyError, ValueError, TypeError):
        raise KeyProblem(f"{key_path()} is damaged; restore it from a backup") from None
    return SecretKey(own_public(), base64.b64decode(secrets["signing_seed"]), secrets["age_identity"])


# trusted keys ------------------------------------------------------------------------------


def trusted_keys() -> list[PublicKey]:
    """The colleagues' keys this researcher trusts, by name."""
    path = config_dir() / TRUSTED_FILE
    if not path.exists():
        return []
    data = _read_json(path)
    return [PublicKey(parse_public(k["public_key"]), k.get("age_recipient"), k["name"]) for k in data.get("keys", [])]


def read_public_file(path: Path) -> PublicKey:
    """The public key (and age recipient, if any) in a file written from `fieldkit key show`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyProblem(f"cannot read {path} ({exc}); give the file saved from `fieldkit key show`") from None
    words = text.split()
    keys = [w for w in words if w.startswith(PUBLIC_PREFIX)]
    if len(keys) != 1:
        raise KeyProblem(f"{path} holds {len(keys)} fieldkit public keys, not one; give the file saved from `fieldkit key show`")
    ages = [w for w in words if w.startswith("age1")]
    return PublicKey(parse_public(keys[0]), ages[0] if len(ages) == 1 else None)


def trust(public: PublicKey, name: str) -> PublicKey:
    """Record a colleague's public key under `name` (a name already used is replaced)."""
    name = name.strip()
    if not name or any(ch.isspace() for ch in name) or not name.isprintable():
        raise KeyProblem("the name must be one printable word, e.g. --name hq or --name amina")
    keys = [k for k in trusted_keys() if k.name != name and k.verify_key != public.verify_key]
    keys.append(PublicKey(public.verify_key, public.age_recipient, name))
    _write_private(config_dir() / TRUSTED_FILE, {"keys": [
        {"name": k.name, "public_key": k.text, "age_recipient": k.age_recipient, "fingerprint": k.fingerprint}
        for k in sorted(keys, key=lambda k: k.name or "")
    ]})
    return keys[-1]


def signer_name(verify_key: bytes) -> str | None:
    """Who a public key belongs to: a trusted colleague's name, "you" for one's own key, or None."""
    for key in trusted_keys():
        if key.verify_key == verify_key:
            return key.name
    if has_key() and own_public().verify_key == verify_key:
        return "you"
    return None


def recipient(value: str) -> str:
    """An age recipient from `--encrypt-to`: an age1... key, a trusted name, or a file holding one."""
    import pyrage

    value = value.strip()
    if value.startswith("age1"):
        candidate = value
    else:
        named = [k for k in trusted_keys() if k.name == value]
        if named and named[0].age_recipient:
            candidate = named[0].age_recipient
        elif (path := expand_user(value)).is_file():
            words = [w for w in path.read_text(encoding="utf-8", errors="replace").split() if w.startswith("age1")]
            if len(words) != 1:
                raise KeyProblem(f"{path} holds {len(words)} age recipients (age1...), not one; give the file from `fieldkit key show`")
            candidate = words[0]
        else:
            raise KeyProblem(f"{value!r} is not an age recipient (age1...), a trusted name or a file holding one")
    try:
        pyrage.x25519.Recipient.from_str(candidate)
    except Exception:  # pyrage raises its own RecipientError, or ValueError
        raise KeyProblem(f"{candidate[:20]}... is not a valid age recipient; copy it again") from None
    return candidate
