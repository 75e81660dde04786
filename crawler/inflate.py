"""Bounded decompression: a compressed input may grow only so far.

A gzip of 1 MB can hold 1 GB of zeros.  Everything this project inflates itself
(saved ``.gz`` inputs, gzipped sitemaps) goes through :class:`BoundedReader`, a stream
that raises :class:`TooLarge` once more than ``max_size`` bytes have come out, so memory
and time stay bounded whatever the input claims.  (Scrapy bounds ``Content-Encoding``
bodies itself with ``DOWNLOAD_MAXSIZE``.)

    gunzip(body, max_size=50 * 2**20)   # bytes, or TooLarge
"""

from __future__ import annotations

import gzip
import io

#: An input may inflate to this many times its stored size (text compresses 5-20x)...
MAX_RATIO = 200
#: ...and always to this much (small files of very repetitive text).
MIN_ALLOWED = 64 * 1024 * 1024


class TooLarge(OSError):
    """Decompressed output passed its limit (an OSError: inputs report it as unreadable)."""


def allowed_size(stored_size: int) -> int:
    """Bytes an input of ``stored_size`` compressed bytes may inflate to."""
    return max(MIN_ALLOWED, MAX_RATIO * max(stored_size, 0))


class BoundedReader(io.RawIOBase):
    """A raw byte stream over a decompressing one, raising TooLarge past ``max_size``."""

    def __init__(self, stream, max_size: int, what: str = "input"):
        self.stream = stream
        self.max_size = max_size
        self.what = what
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        n = len(data)
        self.count += n
        if self.count > self.max_size:
            raise TooLarge(
                f"{self.what} inflates past {self.max_size:,} bytes (a decompression bomb?)"
            )
        buffer[:n] = data
        return n

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            super().close()


def gunzip(data: bytes, *, max_size: int, what: str = "gzip body") -> bytes:
    """``data`` inflated, streaming, or TooLarge past ``max_size``; OSError/EOFError if broken."""
    reader = io.BufferedReader(
        BoundedReader(gzip.GzipFile(fileobj=io.BytesIO(data)), max_size, what),
        buffer_size=1 << 16,
    )
    return reader.read()
