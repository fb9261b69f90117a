"""The article alone as a small, clean HTML document: headline, paragraphs, main image."""

from __future__ import annotations

from html import escape


def article_html(
    title: str | None, paragraphs: list[str], image_url: str | None, image_caption: str | None
) -> str:
    """An <article> with an <h1>, the main image as a <figure>, and one <p> per paragraph (table
    rows included). """
    parts = ["<article>"]
    if title:
        parts.append(f"<h1>{escape(title)}</h1>")
    if image_url:
        caption = f"<figcaption>{escape(image_caption)}</figcaption>" if image_caption else ""
        parts.append(
            f'<figure><img src="{escape(image_url)}" alt="{escape(image_caption or "")}">'
            f"{caption}</figure>"
        )
    parts.extend(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    parts.append("</article>")
    return "\n".join(parts)
