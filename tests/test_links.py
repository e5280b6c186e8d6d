"""domain/catalogue/links.py: which written links a licence path or contact may hold."""

from __future__ import annotations

import pytest

from domain.catalogue.links import unsafe_scheme


@pytest.mark.parametrize(("value", "scheme"), [
    ("javascript:alert(1)", "javascript"),
    (" JavaScript:alert(1)", "javascript"),
    ("\x01java\tscript:alert(1)", "javascript"),  # browsers drop tabs and control characters
    ("jav\nascript:x", "javascript"),
    ("data:text/html,<script>x</script>", "data"),
    ("VBScript:msgbox(1)", "vbscript"),
    ("file:///etc/passwd", "file"),
    ("\u3000javascript:x", "javascript"),
])
def test_unsafe(value: str, scheme: str) -> None:
    assert unsafe_scheme(value) == scheme


@pytest.mark.parametrize("value", [
    "https://creativecommons.org/licenses/by/4.0/", "HTTP://example.org", "mailto:open@x.cn",
    "tel:0990-12345601", "open@jtj.example", "0990-12345601", "terms/licence.html",
    "市交通局数据管理科", "联系人:张三", "", "/licences/open.pdf",
])
def test_safe_or_no_scheme(value: str) -> None:
    assert unsafe_scheme(value) is None
