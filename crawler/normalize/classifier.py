"""Title -> category probabilities from an exported linear model (no scikit-learn here).

The model is trained by :mod:`crawler.normalize.category_model` (TF-IDF word 1-2 grams of
Snowball stems + character 2-5 grams inside word boundaries + the title's skill tokens,
a linear SVM, sigmoid calibration) and exported as plain arrays in a ``.npz`` file: per
block the hash buckets seen in training, their idf weights and weight rows, the
intercepts and the calibration (a, b) per category; no vocabulary.  Inference re-does
what scikit-learn's ``HashingVectorizer``/``TfidfTransformer`` and
``CalibratedClassifierCV.predict_proba`` compute (the same MurmurHash3, stemmer and
skill matcher), with one numpy sum per block:
``CategoryClassifier.load(path).proba("Logo for my bakery")`` ->
``(("graphic design", 0.81), ...)``.  Results are cached per distinct title.  Files
written before the stems and skill tokens (no ``word_stem``/``skill_*`` arrays) load and
apply as they were trained.

The bundled default (data/category_model.npz) is trained on real Upwork postings and the
project's written titles (data/category_titles.tsv); ``jobtrends train-categories``
writes a model learned from a database's rows, which the normalizer uses when
``[categories] model`` in the configuration (or ``$JOBTRENDS_CATEGORY_MODEL``) names it.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.utils import murmurhash3_32

from crawler.errors import UserError
from crawler.normalize.broad_layer import layers_from, refine

BUNDLED_MODEL = Path(__file__).with_name("data") / "category_model.npz"
FORMAT = "jobtrends-category-model/2"
# A title is readable when at least this share of its (word or char) feature weight
# falls on hash buckets seen in training.
MIN_KNOWN = 0.35
MAX_TITLE_CHARS = 300

# scikit-learn's default token pattern and whitespace folding (char_wb analyzer).
_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
_WHITE_RE = re.compile(r"\s\s+")


def word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Word n-grams as TfidfVectorizer(ngram_range=(lo, hi)) makes them (lowercased)."""
    tokens = _TOKEN_RE.findall(text.lower())
    if lo == 1 and hi == 1:
        return tokens
    out = list(tokens) if lo == 1 else []
    n_tokens = len(tokens)
    for n in range(max(lo, 2), min(hi, n_tokens) + 1):
        for i in range(n_tokens - n + 1):
            out.append(" ".join(tokens[i : i + n]))
    return out


@lru_cache(maxsize=4)
def _stemmer(language: str):
    import snowballstemmer

    return snowballstemmer.stemmer(language)


def stemmed(text: str, language: str = "english") -> str:
    """The words of ``text`` (scikit-learn's token pattern, lower-cased) reduced to their
    Snowball stems, space-joined: what the word n-grams of a stemming model are made of:
    ``stemmed("Editing videos for YouTube")`` -> ``"edit video for youtub"``."""
    return " ".join(_stemmer(language).stemWords(_TOKEN_RE.findall(text.lower())))


def skill_tokens(text: str) -> list[str]:
    """Tokens for the skills of data/skills.json that a title names (one-pass matcher,
    aliases included): ``skill:<canonical name>`` and ``family:<family>``, so "Premiere
    Pro reels" or "Zendesk agent" carry their skill's signal even when no training
    title had those words: ``skill_tokens("Shopify theme fix")`` ->
    ``["skill:shopify", "family:cms_ecommerce"]``."""
    from crawler.normalize.skills import match_skills

    out: list[str] = []
    for skill in match_skills(None, None, title=text):
        out += (f"skill:{skill.name.casefold()}", f"family:{skill.family}")
    return out


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams inside word boundaries, as analyzer="char_wb" makes them."""
    out: list[str] = []
    for word in _WHITE_RE.sub(" ", text.lower()).split():
        w = f" {word} "
        size = len(w)
        for n in range(lo, hi + 1):
            if size <= n:
                out.append(w)  # scikit-learn keeps the whole padded word once
                break
            out += [w[i : i + n] for i in range(size - n + 1)]
    return out


class CategoryClassifier:
    """Calibrated category probabilities for a title from exported weights."""

    def __init__(self, arrays: dict, name: str = "model"):
        if str(arrays["format"]) != FORMAT:
            raise ValueError(
                f"not a {FORMAT} file (format {arrays['format']!r}); a model from an"
                " older version: run `jobtrends train-categories` again"
            )
        self.name = name
        self.classes: list[str] = [str(c) for c in arrays["classes"]]
        self.n_features = int(arrays["n_features"])
        self.word_range = tuple(int(v) for v in arrays["word_range"])
        self.char_range = tuple(int(v) for v in arrays["char_range"])
        # Per block (words, chars): the sorted hash buckets seen in training, their idf
        # and weight rows (features x classes), and the idf every other bucket has.
        self._blocks = []
        # Optional (models since the knowledge features): word n-grams of the stemmed
        # title, and a third block of hashed skill tokens (its own bucket count and a
        # weight relative to the others).  Older files have neither and work as before.
        self.stem = str(arrays["word_stem"]) if "word_stem" in arrays else ""
        self._skill_block = None
        if "skill_buckets" in arrays:
            self._skill_features = int(arrays["skill_n_features"])
            self._skill_scale = float(arrays["skill_scale"])
            self._skill_block = (
                np.asarray(arrays["skill_buckets"], dtype=np.int64),
                np.asarray(arrays["skill_idf"], dtype=np.float64),
                np.asarray(arrays["skill_coef"], dtype=np.float64),
                float(arrays["skill_idf_unseen"]),
            )
        for key in ("word", "char"):
            buckets = np.asarray(arrays[f"{key}_buckets"], dtype=np.int64)
            self._blocks.append(
                (
                    buckets,
                    np.asarray(arrays[f"{key}_idf"], dtype=np.float64),
                    np.asarray(arrays[f"{key}_coef"], dtype=np.float64),
                    float(arrays[f"{key}_idf_unseen"]),
                )
            )
        self._intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        self._cal_a = np.asarray(arrays["cal_a"], dtype=np.float64)
        self._cal_b = np.asarray(arrays["cal_b"], dtype=np.float64)
        self.trained_on = str(arrays["trained_on"]) if "trained_on" in arrays else ""
        # Optional: how often each class occurs under a broad source category in the
        # training rows ("design & creative" -> 50% graphic design, 33% video...) and
        # overall; best() then weighs the title's probabilities by prior(c|broad)/prior(c).
        self._priors: dict[str, np.ndarray] = {}
        if "prior_keys" in arrays and len(arrays["prior_keys"]):
            for key, row in zip(arrays["prior_keys"], arrays["priors"], strict=False):
                self._priors[str(key)] = np.asarray(row, dtype=np.float64)
            self._class_prior = np.asarray(arrays["class_prior"], dtype=np.float64)
        # Optional: a layer per broad source category learned on out-of-fold
        # probabilities (broad_layer.py); best() prefers it to the priors.
        self._layers = layers_from(arrays)
        # Bounded caches (~12, ~3 and ~4 MB at most): titles, words and word n-grams
        # repeat.
        self.proba = lru_cache(maxsize=8192)(self._proba)
        self._word_char_buckets = lru_cache(maxsize=16384)(self._char_buckets)
        self._word_bucket = lru_cache(maxsize=32768)(self._bucket)  # word n-grams

    @classmethod
    def load(cls, path: str | os.PathLike) -> CategoryClassifier:
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except FileNotFoundError:
            raise UserError(
                f"category model {path} not found - check [categories] model or JOBTRENDS_CATEGORY_MODEL"
            ) from None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise UserError(
                f"category model {path} is not readable: {exc} - retrain it with `jobtrends train-categories`"
            ) from None
        return cls(arrays, name=path.name)

    def _bucket(self, gram: str) -> int:
        """HashingVectorizer's column of an n-gram: murmurhash3_32 (seed 0) of its UTF-8
        bytes, absolute value modulo n_features (abs(-2**31) taken as 2**31)."""
        return abs(murmurhash3_32(gram, seed=0)) % self.n_features

    def _char_buckets(self, word: str) -> tuple[int, ...]:
        """The hash buckets of one word's char_wb n-grams (cached: titles share most of
        their words)."""
        bucket = self._bucket
        return tuple(bucket(g) for g in char_wb_ngrams(word, *self.char_range))

    def _block(self, hits: list[int], block) -> tuple[np.ndarray | float, float]:
        """One vectorizer's share of the decision values: the title's buckets' sublinear
        tf x idf, L2-normalized over all its buckets (unseen ones too, as scikit-learn
        does), times the weight rows of the seen ones; and the share of the title's
        squared weight that falls on seen buckets.

        Distinct buckets and their counts come from one sort (what ``np.unique`` does,
        without its per-call overhead); the floating-point operations are the same
        numpy operations on the same arrays, so the values are bit for bit the same."""
        buckets, idf, coef, idf_unseen = block
        if not hits or not len(buckets):
            return 0.0, 0.0
        ordered = np.array(hits, dtype=np.int64)
        ordered.sort()
        n = len(ordered)
        first = np.empty(n, dtype=bool)  # where each distinct bucket's run starts
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        idx = ordered[first]
        starts = first.nonzero()[0]
        counts = np.empty(len(starts), dtype=np.int64)
        np.subtract(starts[1:], starts[:-1], out=counts[:-1])
        counts[-1] = n - starts[-1]
        pos = buckets.searchsorted(idx)
        pos[pos == len(buckets)] = 0
        seen = buckets[pos] == idx
        w = (1.0 + np.log(counts)) * np.where(seen, idf[pos], idf_unseen)
        norm2 = float(w @ w)
        rows = pos[seen]
        ws = w[seen]
        known = float(ws @ ws) / norm2
        if not len(rows):
            return 0.0, 0.0
        return (ws / math.sqrt(norm2)) @ coef[rows], known

    def scores(self, title: str) -> np.ndarray | None:
        """The linear decision values per class (as LinearSVC.decision_function), or
        None when the title says almost nothing the model knows: less than
        MIN_KNOWN of its feature weight falls on buckets seen in training (a hash
        bucket always exists, so "unknown" is a share, not a miss)."""
        text = title[:MAX_TITLE_CHARS]
        bucket = self._word_bucket
        wordy = stemmed(text, self.stem) if self.stem else text
        words = [bucket(g) for g in word_ngrams(wordy, *self.word_range)]
        chars: list[int] = []
        for word in _WHITE_RE.sub(" ", text.lower()).split():
            chars += self._word_char_buckets(word)
        if not words and not chars:
            return None
        word_part, word_known = self._block(words, self._blocks[0])
        char_part, char_known = self._block(chars, self._blocks[1])
        if max(word_known, char_known) < MIN_KNOWN:
            return None
        out = word_part + char_part + self._intercept
        if self._skill_block is not None:
            # Skills only add to a readable title; they never make one readable.
            size = self._skill_features
            hits = [abs(murmurhash3_32(t, seed=0)) % size for t in skill_tokens(text)]
            out = out + self._skill_scale * self._block(hits, self._skill_block)[0]
        return out

    def _proba(self, title: str) -> tuple[tuple[str, float], ...]:
        """Categories with their calibrated probabilities, most likely first; empty when
        the title shares (almost) no feature with the model."""
        s = self.scores(title)
        if s is None:
            return ()
        p = (1.0 / (1.0 + np.exp(self._cal_a * s + self._cal_b))).tolist()
        total = math.fsum(p)
        p = [v / total for v in p] if total > 0 else [1.0 / len(p)] * len(p)
        classes = self.classes
        return tuple(
            sorted(
                zip(classes, p, strict=False), key=lambda cp: cp[1], reverse=True
            )  # stable
        )

    def best(
        self,
        title: str,
        within: frozenset[str] | None = None,
        broad: str | None = None,
    ) -> tuple[str, float] | None:
        """(category, probability) of the most likely class, optionally among ``within``
        (probabilities renormalized over that set); under the broad source category
        ``broad``, by its learned layer (broad_layer.py) when the model has one, else
        weighed by the class frequencies the model learned under it; None for a title
        the model cannot read."""
        ranked = self.proba(title)
        if not ranked:
            return None
        if within is None and broad is None:
            return ranked[0]
        layer = self._layers.get(broad.casefold()) if broad else None
        if layer is not None:
            p = dict(ranked)
            got = refine(
                layer,
                np.array([p[c] for c in self.classes]),
                np.array([within is None or c in within for c in self.classes]),
            )
            if got is not None:
                return self.classes[got[0]], got[1]
        prior = self._priors.get(broad.casefold()) if broad else None
        kept = []
        for c, p in ranked:
            if within is not None and c not in within:
                continue
            if prior is not None:
                i = self.classes.index(c)
                p = p * prior[i] / self._class_prior[i]
            kept.append((c, p))
        if not kept:
            return ranked[0]
        total = sum(p for _, p in kept)
        top = max(kept, key=lambda cp: cp[1])
        return top[0], float(top[1] / total) if total > 0 else 0.0


def configured_model_path() -> str | None:
    """The model file the configuration names (``[categories] model``), or
    ``$JOBTRENDS_CATEGORY_MODEL``; None for the bundled default."""
    env = os.environ.get("JOBTRENDS_CATEGORY_MODEL")
    if env:
        return env
    from crawler.config import load_config

    return (load_config().get("categories") or {}).get("model") or None


@lru_cache(maxsize=1)
def default_classifier() -> CategoryClassifier:
    """The configured model, else the bundled one (loaded once per process)."""
    path = configured_model_path()
    return CategoryClassifier.load(path or BUNDLED_MODEL)
