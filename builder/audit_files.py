"""Publishing the audit checkpoints: the files of a folder (the signed
checkpoints and the public key, written by the request service) copied
into ``site/audit/``. The builder only reads that folder."""

from __future__ import annotations

from pathlib import Path

SITE_FOLDER = "audit"


class AuditFolderError(Exception):
    """The audit folder cannot be published; the message says why."""


def audit_files(folder: Path) -> dict[str, bytes]:
    """``{"audit/<name>": bytes}`` for every visible regular file directly in
    ``folder``.

    Raises:
        AuditFolderError: the folder is missing, or a file in it holds a
            private key (which must never be published).
    """
    if not folder.is_dir():
        raise AuditFolderError(f"audit folder {folder} does not exist; run `portal audit "
                               "new-key` and `portal audit checkpoint`, or build without "
                               "--audit-dir")
    found: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if b"PRIVATE KEY" in data:
            raise AuditFolderError(f"{path} holds a private key: move it out of the audit "
                                   "folder (it is published) and keep it secret")
        found[f"{SITE_FOLDER}/{path.name}"] = data
    return found
