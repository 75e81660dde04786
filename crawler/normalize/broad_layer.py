"""The choice inside a broad source category: a small layer learned on top of the title
classifier, one per broad category (Upwork's "Web, Mobile & Software Dev", "Design &
Creative"...).

The title classifier is trained on every labeled row; under a broad category only a few
of its classes can occur, in proportions of their own ("Design & Creative": graphic
design 53 %, video 33 %, other 12 %), and its probabilities are not equally sharp for
every pair of classes (web design vs web development is where it hesitates most).  The
layer is a multinomial logistic regression per broad category whose inputs are the log
probabilities the classifier gives the classes seen under that category (renormalized
over them) and whose outputs are those classes: it learns the category's class
frequencies (its intercepts) and how far to trust each probability (its weights).

It is fitted on *out-of-fold* probabilities - each training row scored by a classifier
that did not learn from it (:func:`crawler.normalize.category_model.out_of_fold`) - so it
learns how the classifier behaves on postings it has never seen, which is what it will
be given.  Exported as plain arrays per broad category: which classes are inputs and
outputs, the weight matrix and the intercepts (:func:`layer_arrays`);
:func:`refine` applies one with numpy.

``fit_layers(proba, labels, broads, classes)`` -> ``{"design & creative": Layer, ...}``;
``refine(layer, p, allowed)`` -> ``(class index, probability)``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

import numpy as np

# A broad category gets its own layer with at least this many labeled (readable) rows;
# below, the classifier's probabilities are weighed by the category's class frequencies.
MIN_ROWS = 20
# Inverse regularization of the logistic regression (scikit-learn's C).  On the folds
# of `jobtrends eval --upwork-api`, C = 0.1 lands within 0.1 point of 1.0.
LAYER_C = 1.0
# Probabilities are floored before the log: a class the classifier rules out entirely
# still gets a finite input.
FLOOR = 1e-4


class Layer(NamedTuple):
    """One broad category's layer, in the classifier's class order: ``inputs`` and
    ``outputs`` (bool masks), ``coef`` (outputs x inputs, zero elsewhere) and
    ``intercept`` (-inf for a class that is not an output)."""

    inputs: np.ndarray
    outputs: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray


def features(p: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """The layer's input: log of ``p`` renormalized over the input classes (floored),
    zero elsewhere."""
    q = np.where(inputs, p, 0.0)
    total = q.sum()
    q = q / total if total > 0 else np.where(inputs, 1.0 / max(inputs.sum(), 1), 0.0)
    return np.where(inputs, np.log(np.clip(q, FLOOR, 1.0)), 0.0)


def fit_layers(
    proba: np.ndarray,
    labels: list[str],
    broads: list[str | None],
    classes: list[str],
) -> dict[str, Layer]:
    """A layer per broad category with MIN_ROWS+ rows of at least two classes.
    ``proba`` holds out-of-fold probabilities (rows x ``classes``; NaN for a title the
    classifier could not read, left out), ``broads`` each row's broad category key or
    None."""
    from sklearn.linear_model import LogisticRegression

    index = {c: j for j, c in enumerate(classes)}
    rows: dict[str, list[int]] = defaultdict(list)
    for i, (lab, broad) in enumerate(zip(labels, broads, strict=True)):
        if broad and lab in index and not np.isnan(proba[i]).any():
            rows[broad.casefold()].append(i)
    layers = {}
    n = len(classes)
    for broad, idx in sorted(rows.items()):
        seen = Counter(labels[i] for i in idx)
        if len(idx) < MIN_ROWS or len(seen) < 2:
            continue
        inputs = np.zeros(n, dtype=bool)
        inputs[[index[c] for c in seen]] = True
        x = np.array([features(proba[i], inputs) for i in idx])
        y = [labels[i] for i in idx]
        model = LogisticRegression(C=LAYER_C, max_iter=5000).fit(x, y)
        coef = np.zeros((n, n))
        intercept = np.full(n, -np.inf)
        out = [index[str(c)] for c in model.classes_]
        if len(out) == 2:  # binary: P(second) = sigmoid(w.x + b), the first scores 0
            coef[out[1]] = model.coef_[0]
            intercept[out[0]], intercept[out[1]] = 0.0, model.intercept_[0]
        else:
            coef[out] = model.coef_
            intercept[out] = model.intercept_
        coef[:, ~inputs] = 0.0
        outputs = np.zeros(n, dtype=bool)
        outputs[out] = True
        layers[broad] = Layer(inputs, outputs, coef, intercept)
    return layers


def layer_arrays(layers: dict[str, Layer], n_classes: int) -> dict[str, np.ndarray]:
    """The layers as plain arrays for the model file (``layer_*``; empty when none)."""
    keys = sorted(layers)
    return {
        "layer_keys": np.array(keys, dtype=str),
        "layer_inputs": np.array([layers[k].inputs for k in keys], dtype=bool).reshape(
            -1, n_classes
        ),
        "layer_outputs": np.array(
            [layers[k].outputs for k in keys], dtype=bool
        ).reshape(-1, n_classes),
        "layer_coef": np.array([layers[k].coef for k in keys]).reshape(
            -1, n_classes, n_classes
        ),
        # -inf marks a class that is not an output (np.savez keeps it exactly)
        "layer_intercept": np.array([layers[k].intercept for k in keys]).reshape(
            -1, n_classes
        ),
    }


def layers_from(arrays) -> dict[str, Layer]:
    """The layers stored in a model file's arrays (none in a file written before
    them)."""
    if "layer_keys" not in arrays:
        return {}
    return {
        str(key): Layer(
            np.asarray(arrays["layer_inputs"][j], dtype=bool),
            np.asarray(arrays["layer_outputs"][j], dtype=bool),
            np.asarray(arrays["layer_coef"][j], dtype=np.float64),
            np.asarray(arrays["layer_intercept"][j], dtype=np.float64),
        )
        for j, key in enumerate(arrays["layer_keys"])
    }


def refine(
    layer: Layer, p: np.ndarray, allowed: np.ndarray
) -> tuple[int, float] | None:
    """(class index, probability) of the layer's most likely output among ``allowed``
    (a bool mask), the probability renormalized over those; None when no output is
    allowed."""
    keep = layer.outputs & allowed
    if not keep.any():
        return None
    z = layer.coef @ features(p, layer.inputs) + layer.intercept
    z = np.where(keep, z, -np.inf)
    e = np.exp(z - z[keep].max())
    j = int(np.argmax(e))
    return j, float(e[j] / e.sum())
