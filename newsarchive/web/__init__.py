"""The researchers' web interface and JSON API (`newsarchive serve`), on newsarchive.query only."""

from __future__ import annotations

from newsarchive.web.app import create_app

__all__ = ["create_app"]
