"""newsarchive: crawl news portals' sections into a faithful article archive."""

from __future__ import annotations

__version__ = "0.1.0"

# Tagged on every stored revision; bump it whenever extraction output may change, so
# `reextract` and researchers can tell which extractor produced what.
EXTRACTOR_VERSION = "0.1.0"
