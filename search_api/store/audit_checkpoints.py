"""Signed checkpoints: the audit chain anchored outside the database.

The hash chain (:mod:`search_api.store.audit`) shows a record that was
altered or removed in the middle, but not a log cut short with its head
moved back, nor a chain rewritten from record N on with every hash
recomputed: whoever can write the database can do both. A checkpoint is
the chain head (sequence number and hash) at a moment, signed with an
Ed25519 key that is kept outside the database (AUDIT_SIGNING_KEY), appended
to ``checkpoints.jsonl`` in AUDIT_CHECKPOINT_DIR, mailed to the authority
and published with the site (``portal build --audit-dir``) together with
the public key. :func:`verify` compares the chain with the checkpoints.

One line per checkpoint, JSON::

    {"at": "2026-12-06T11:13:12Z", "head": "<base32>", "seq": 42,
     "signature": "<base32>", "v": 1}

``head`` is the SHA-256 hash of record ``seq`` (the ``hash`` column, there
in hex) and ``signature`` the Ed25519 signature, both in base32 (RFC 4648):
letters and the digits 2-7 only, so a mailed checkpoint never looks like a
phone or ID number to the outbox's personal-data check. The signed bytes
are the line's canonical JSON without ``signature`` (sorted keys, no spaces).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.procedures.roles import AUTHORITY
from search_api.store.audit import canonical
from search_api.store.records import OutboxMessage
from search_api.store.schema import GENESIS

if TYPE_CHECKING:
    from search_api.store import Store

CHECKPOINT_FILE = "checkpoints.jsonl"
PUBLIC_KEY_FILE = "audit-public-key.pem"
VERSION = 1


class CheckpointError(Exception):
    """A key or checkpoint file cannot be used; the message (English) says
    what to do."""


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text, casefold=True)


@dataclass(frozen=True)
class Checkpoint:
    """The audit head at ``at``: record ``seq`` has hash ``head_hex``."""

    seq: int
    head_hex: str
    at: str  # UTC, ISO 8601 with a Z, to the second
    signature: str = ""  # base32; empty until signed

    def signed_bytes(self) -> bytes:
        return canonical({"at": self.at, "head": _b32(bytes.fromhex(self.head_hex)),
                          "seq": self.seq, "v": VERSION}).encode()

    def line(self) -> str:
        return canonical({"at": self.at, "head": _b32(bytes.fromhex(self.head_hex)),
                          "seq": self.seq, "signature": self.signature, "v": VERSION})

    def day(self) -> str:
        return self.at[:10]

    @classmethod
    def parse(cls, line: str) -> Checkpoint:
        """Raises ValueError when ``line`` is not a checkpoint."""
        data: Any = json.loads(line)
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise ValueError("not a version-1 checkpoint")
        seq, head, at, signature = (data.get(k) for k in ("seq", "head", "at", "signature"))
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise ValueError("seq is not a whole number")
        if not all(isinstance(v, str) for v in (head, at, signature)):
            raise ValueError("head, at or signature is missing")
        try:
            digest = _unb32(str(head))
            _unb32(str(signature))
        except (binascii.Error, ValueError):
            raise ValueError("head or signature is not base32") from None
        if len(digest) != 32:
            raise ValueError("head is not a SHA-256 hash")
        return cls(seq=seq, head_hex=digest.hex(), at=str(at), signature=str(signature))


def utc_stamp(at: datetime) -> str:
    """``at`` in UTC as ``YYYY-MM-DDTHH:MM:SSZ``. Raises ValueError when naive."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"checkpoint times must be timezone-aware, got {at!r}")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- keys -------------------------------------------------------------------------------------

def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def new_signing_key(key_path: Path, folder: Path) -> Path:
    """Write a new Ed25519 private key to ``key_path`` (mode 0600, PEM) and
    its public key into ``folder``; returns the public key's path.

    Raises:
        CheckpointError: ``key_path`` exists (a key is never replaced by
            accident: checkpoints signed with it would no longer verify), or
            lies inside ``folder`` (which is published).
    """
    if key_path.exists():
        raise CheckpointError(f"{key_path} exists; keep it, or move it away first (checkpoints "
                              "signed with it verify only with its public key)")
    if key_path.resolve().parent == folder.resolve() or \
            folder.resolve() in key_path.resolve().parents:
        raise CheckpointError(f"{key_path} is inside the checkpoint folder {folder}, which is "
                              "published: keep the private key elsewhere")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    folder.mkdir(parents=True, exist_ok=True)
    public = folder / PUBLIC_KEY_FILE
    public.write_bytes(public_pem(key))
    return public


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Raises CheckpointError when ``path`` is missing or not an Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise CheckpointError(f"cannot read the audit signing key {path} ({exc.strerror}); "
                              "make one with `portal audit new-key`") from None
    except (ValueError, TypeError):
        raise CheckpointError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Raises CheckpointError when ``path`` is missing or not an Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise CheckpointError(f"cannot read the audit public key {path} ({exc.strerror})") \
            from None
    except ValueError:
        raise CheckpointError(f"{path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 public key")
    return key


# -- checkpoints ------------------------------------------------------------------------------

def sign(key: Ed25519PrivateKey, seq: int, head_hex: str, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(seq=seq, head_hex=head_hex, at=utc_stamp(at))
    return Checkpoint(seq=seq, head_hex=head_hex, at=unsigned.at,
                      signature=_b32(key.sign(unsigned.signed_bytes())))


def signature_ok(public: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        public.verify(_unb32(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def append(folder: Path, checkpoint: Checkpoint) -> Path:
    """Append ``checkpoint`` to the folder's checkpoint file (flushed to disk)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CHECKPOINT_FILE
    with path.open("a", encoding="utf-8") as out:
        out.write(checkpoint.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return path


@dataclass(frozen=True)
class Line:
    number: int
    checkpoint: Checkpoint | None
    problem: str = ""


def read(path: Path) -> list[Line]:
    """Every non-blank line of a checkpoint file, parsed or with its problem.
    Raises CheckpointError when the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"cannot read the checkpoint file {path} ({exc})") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            lines.append(Line(number, Checkpoint.parse(raw)))
        except ValueError as exc:
            lines.append(Line(number, None, str(exc)))
    return lines


def last_day(path: Path) -> str | None:
    """The UTC day (YYYY-MM-DD) of the file's last readable checkpoint."""
    if not path.is_file():
        return None
    days = [line.checkpoint.day() for line in read(path) if line.checkpoint]
    return days[-1] if days else None


@dataclass(frozen=True)
class ChainState:
    head_seq: int
    last_seq: int
    hash_at: Callable[[Iterable[int]], dict[int, str]]


def verify(lines: list[Line], public: Ed25519PublicKey, chain: ChainState) -> list[str]:
    """Problems of the chain against signed checkpoints, in English (empty:
    every checkpoint verifies and the chain still holds what each signed).

    Reports a checkpoint that cannot be read or whose signature is bad (it
    is then not used), checkpoints going backwards, records deleted from
    the end (a checkpoint signs a record beyond the last one), a signed
    record that is gone, and a record whose hash is no longer the signed
    one (the chain rewritten from there or before, hashes recomputed).
    """
    problems: list[str] = []
    good: list[tuple[int, Checkpoint]] = []
    for line in lines:
        cp = line.checkpoint
        if cp is None:
            problems.append(f"checkpoint line {line.number} cannot be read ({line.problem}): "
                            "the checkpoint file was altered")
        elif not signature_ok(public, cp):
            problems.append(f"checkpoint line {line.number} (record {cp.seq}, {cp.at}) has a "
                            "bad signature: the checkpoint file was altered or signed with "
                            "another key")
        else:
            good.append((line.number, cp))
    highest: tuple[int, Checkpoint] | None = None
    for number, cp in good:
        if highest and cp.seq < highest[1].seq:
            problems.append(
                f"checkpoint line {number} ({cp.at}) signs record {cp.seq}, behind record "
                f"{highest[1].seq} signed earlier ({highest[1].at}): the log was moved back")
        if highest is None or cp.seq >= highest[1].seq:
            highest = (number, cp)
    if highest and highest[1].seq > chain.last_seq:
        cp = highest[1]
        first = chain.last_seq + 1
        which = f"record {first} is" if cp.seq == first else f"records {first} to {cp.seq} are"
        problems.append(
            f"{which} missing: the audit log ends at record {chain.last_seq} (head "
            f"{chain.head_seq}) but the checkpoint of {cp.at} signed record {cp.seq}: "
            "records were deleted from the end and the head moved back")
    stored = chain.hash_at(cp.seq for _, cp in good if 0 < cp.seq <= chain.last_seq)
    mismatched: list[Checkpoint] = []
    for _, cp in good:
        if cp.seq == 0:
            if cp.head_hex != GENESIS:
                mismatched.append(cp)
        elif cp.seq <= chain.last_seq:
            if cp.seq not in stored:
                problems.append(f"record {cp.seq}, signed at {cp.at}, is missing: deleted "
                                "from the audit log")
            elif stored[cp.seq] != cp.head_hex:
                mismatched.append(cp)
    if mismatched:
        first_cp = min(mismatched, key=lambda c: c.seq)
        more = len({c.seq for c in mismatched}) - 1
        problems.append(
            f"record {first_cp.seq} no longer has the hash signed at {first_cp.at}: the log "
            f"was rewritten from record {first_cp.seq} or before (hashes recomputed)"
            + (f"; {more} later signed record(s) differ too" if more else ""))
    return problems


# -- with the store ---------------------------------------------------------------------------

def chain_state(store: Store) -> ChainState:
    head_seq, _, last_seq = store.audit_head()
    return ChainState(head_seq=head_seq, last_seq=last_seq, hash_at=store.audit_hashes)


def message(checkpoint: Checkpoint) -> OutboxMessage:
    """The checkpoint mailed to the authority (an independent copy)."""
    return OutboxMessage(
        kind="audit.checkpoint", recipient_role="authority_reviewer", recipient=AUTHORITY,
        subject=f"审计日志签名存证：截至第 {checkpoint.seq} 条记录（{checkpoint.day()}）",
        body=("开放平台的调度与操作记录（审计日志）已签名存证。请原样保存下面这一行，"
              "不要修改；核验时，把保存的各行放入一个文件，用平台公布的公钥运行 "
              "portal audit verify --checkpoints 该文件 --public-key 公钥文件。\n\n"
              f"{checkpoint.line()}\n"),
        dedupe_key=f"audit-checkpoint:{checkpoint.at}:{checkpoint.seq}")


def make_checkpoint(store: Store, key_path: Path, folder: Path, now: datetime) -> Checkpoint:
    """Sign the current chain head, append it to the folder's checkpoint
    file and queue it for the authority.

    The chain is verified first, on its own and against the checkpoints
    already in the folder: a broken chain is never signed.

    Raises:
        CheckpointError: the key cannot be read or is not the one whose
            public key the folder publishes, or the chain is broken.
    """
    key = load_signing_key(key_path)
    problems = store.verify_audit()
    existing = folder / CHECKPOINT_FILE
    if existing.is_file():
        problems += verify(read(existing), key.public_key(), chain_state(store))
    if problems:
        raise CheckpointError("the audit chain is not intact, so it was not signed: "
                              + "; ".join(problems))
    public_file = folder / PUBLIC_KEY_FILE
    if public_file.is_file() and public_file.read_bytes() != public_pem(key):
        raise CheckpointError(f"{key_path} does not match the published public key "
                              f"{public_file}: nothing signed with it would verify")
    seq, digest, _ = store.audit_head()
    checkpoint = sign(key, seq, digest, now)
    if not public_file.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        public_file.write_bytes(public_pem(key))
    append(folder, checkpoint)
    store.add_message(message(checkpoint), at=now)
    return checkpoint


def daily_checkpoint(store: Store, key_path: Path, folder: Path,
                     now: datetime) -> Checkpoint | None:
    """:func:`make_checkpoint` unless the folder has one of today (UTC)."""
    if last_day(folder / CHECKPOINT_FILE) == utc_stamp(now)[:10]:
        return None
    return make_checkpoint(store, key_path, folder, now)
