"""We Work Remotely RSS feeds: one per category (``/categories/<slug>.rss``) and
``/remote-jobs.rss`` for all.

Options: ``feeds`` (feed URLs, comma-separated or a TOML list; file:// for saved feeds),
``feeds_file`` (one URL per line), ``base_url`` (mirror).  The feeds do not page.
A listing's id is the slug of its ``/remote-jobs/<slug>`` URL.
"""

from __future__ import annotations

from crawler.normalize.sources.weworkremotely import listing_id_from_url
from crawler.spiders._rss import RssFeedSpider


class WeworkremotelySpider(RssFeedSpider):
    name = "weworkremotely"
    default_base_url = "https://weworkremotely.com"
    id_hint = "/remote-jobs/<slug>"

    def item_id(self, item: str, link: str | None) -> str | None:
        return listing_id_from_url(link)
