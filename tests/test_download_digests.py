"""Each download's size and SHA-256 are hashed as its writer writes it (no
file is read back): they must be exactly the file's, for a plain UTF-8 CSV
(copied), a CSV with a byte-order mark and a JSON table (converted)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from builder.downloads import DOWNLOAD_FORMS, write_resource_downloads
from domain.catalogue.model import Field, Resource

ROWS = "id,name,value\n1,人民广场,3.5\n2,\"=1+1\",\n3, 东站 ,true\n"


@pytest.mark.parametrize("name,content,fmt", [
    ("plain.csv", ROWS.encode(), "csv"),
    ("bom.csv", b"\xef\xbb\xbf" + ROWS.replace("\n", "\r\n").encode(), "csv"),
    ("table.json", '[{"id": 1, "name": "人民广场", "value": 3.5}, {"id": 2}]'.encode(), "json"),
])
def test_reported_digests_are_the_files(tmp_path: Path, name: str, content: bytes,
                                        fmt: str) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    resource = Resource("data", name, fmt, title="数据", fields=(
        Field("id", "integer", "序号"), Field("name", "string", "名称"),
        Field("value", "number", "数值")))
    out = tmp_path / "out"
    out.mkdir()
    files = write_resource_downloads(source, resource, out, "data")
    assert [f.form for f in files] == [form.key for form in DOWNLOAD_FORMS]
    for file in files:
        data = (out / file.filename).read_bytes()
        assert (file.bytes, file.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    if name == "plain.csv":
        assert (out / "data.csv").read_bytes() == content  # copied as it is
