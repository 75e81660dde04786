"""Scrapy settings for jobtrends: polite by default, offline-safe, one SQLite writer."""

BOT_NAME = "jobtrends"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# One broken spider module must not stop the others from running (it is logged).
SPIDER_LOADER_WARN_ONLY = True

USER_AGENT = "jobtrends/0.1 (+https://github.com/jobtrends/jobtrends; research crawler)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to the server; never more than 2 requests per domain.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

# Retries: Scrapy's RetryMiddleware is replaced by one that honours Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
# A server asking (Retry-After) for a longer wait than this is given up at once.
RETRY_AFTER_MAX = 300.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.LoopSafeRedirectMiddleware": 600,
    # file:// URLs only below the folder given (file_root / JOBTRENDS_FILE_ROOT / feeds_file's)
    "crawler.middlewares.FileRootMiddleware": 50,
}

# Every request gets the spider's page_failed errback: a lost page is recorded, not just logged.
SPIDER_MIDDLEWARES = {"crawler.middlewares.PageLossMiddleware": 50}
# A redirect loop is given up after this many hops (Scrapy's default is 20).
REDIRECT_MAX_TIMES = 10
# Redirects stay on the request's host; hosts listed here may be redirected to ("*": any).
JOBTRENDS_REDIRECT_HOSTS: list[str] = []
# The fetch budget of one crawl: responses of any kind (pages, sitemaps, feeds).  Reaching
# it ends the run with finish_reason closespider_pagecount (status partial), so a sitemap
# chain or a fan-out that never ends cannot hold the spider's lock forever.
CLOSESPIDER_PAGECOUNT = 100_000

# Cookies are not needed by any source, and the cookie middleware's public-suffix lookup
# would try the network on first use.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {"crawler.pipelines.RawStorePipeline": 300}
EXTENSIONS = {
    "crawler.run_record.RunRecorder": 100,
    "crawler.progress.CrawlProgress": 200,
}

# Where items go (overridden by `jobtrends crawl --db PATH`).
JOBTRENDS_DB = "data/jobs.db"
JOBTRENDS_BATCH_SIZE = 500
# Normalize listings as they are stored (False: store raw only; run `jobtrends normalize`).
JOBTRENDS_NORMALIZE = True
# Pages/listings/errors per spider on stderr (crawler/progress.py); `jobtrends crawl` sets it.
JOBTRENDS_PROGRESS = False

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
