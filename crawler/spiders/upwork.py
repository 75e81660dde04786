"""Upwork job RSS feeds (live feeds until 2024; saved feed files via file:// URLs).

Options: ``feeds`` (URLs, comma-separated or a TOML list), ``feeds_file`` (one URL per
line), ``max_pages`` (per feed, following ``paging=OFFSET;COUNT``), ``base_url`` (mirror).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.normalize.sources.upwork import job_id_from_link
from crawler.spiders._rss import RssFeedSpider


def next_page_url(url: str, items_on_page: int) -> str | None:
    """The URL of the next feed page when this one was full, else None.

    ``...&paging=0%3B50`` with 50 items -> ``...&paging=50%3B50``.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(query):
        if key == "paging" and ";" in value:
            offset, _, count = value.partition(";")
            if not (offset.isdigit() and count.isdigit()) or items_on_page < int(count):
                return None
            query[i] = (key, f"{int(offset) + int(count)};{count}")
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None


class UpworkSpider(RssFeedSpider):
    name = "upwork"
    default_base_url = "https://www.upwork.com"
    id_hint = "~01 id"

    def item_id(self, item: str, link: str | None) -> str | None:
        return job_id_from_link(link)

    def next_page_url(self, url: str, items_on_page: int) -> str | None:
        return next_page_url(url, items_on_page)

    def parse_feed(self, response, page: int, max_pages: int):
        """Items are cut byte-exact by the base class; a feed that is not well-formed XML is
        recorded first (``malformed_xml``), and a truncated one (no ``</rss>``) counts as a
        lost page: the items after the cut never arrived.
        """
        looks_like_rss = (
            b"<rss" in response.body[:2000] or b"<channel" in response.body[:4000]
        )
        try:
            if looks_like_rss:  # anything else is the base class's not_rss
                etree.fromstring(
                    response.body,
                    etree.XMLParser(
                        resolve_entities=False, no_network=True, huge_tree=False
                    ),
                )
        except etree.XMLSyntaxError as exc:
            detail = f"feed is not well-formed XML: {exc}"
            if b"</rss" in response.body[-200:] or b"</channel" in response.body[-400:]:
                yield self.skip(
                    response,
                    "malformed_xml",
                    detail,
                    response.body[-200:].decode("utf-8", "replace"),
                )
            else:
                yield self.page_unreadable(
                    response,
                    "truncated_xml",
                    detail,
                    response.body[-200:].decode("utf-8", "replace"),
                )
        yield from super().parse_feed(response, page, max_pages)
