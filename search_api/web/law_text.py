"""The deployment's regulation in the words of its public pages, receipts
and e-mails: full Chinese title and article in Chinese numerals, only of
the deployment's own regulation, and 本局规定 where a period or rule is
bureau policy. Templates reach it as ``law``; reviewers' pages may show
the codes as well.
"""

from __future__ import annotations

from domain.periods.citations import basis_text, cite_own
from domain.periods.profiles import Profile


class LawText:
    """Citations for one profile.

    Args:
        profile: the deployment's profile (portal.yaml).
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    @property
    def title(self) -> str:
        """The regulation's full title in book-title marks: 《…》."""
        return f"《{self.profile.name}》"

    def basis(self, code: str) -> str:
        """A basis code (``"003 §25 para 2"``, ``"policy"``, ``"policy: 000
        §43"``) in Chinese; another regulation's article reads 本局规定."""
        return basis_text(code, self.profile.regulation)

    def topic(self, topic: str) -> str:
        """The basis of a profile topic (:data:`domain.periods.profiles.TOPICS`) in Chinese.

        Raises:
            KeyError: an unknown topic.
        """
        return self.basis(self.profile.basis[topic])

    def cite(self, articles: str) -> str:
        """``articles`` (comma-separated codes) in Chinese, keeping only the
        deployment's own regulation; empty when none is left."""
        return cite_own(articles, self.profile.regulation)

    def refs(self, articles: str) -> str:
        """:meth:`cite` in full-width parentheses, or nothing."""
        cited = self.cite(articles)
        return f"（{cited}）" if cited else ""
