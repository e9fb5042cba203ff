"""A softmax regression over photo embeddings: one class per catalogue model.

ImageNet embeddings alone do not tell a Sonata from an Elantra; a linear layer fitted to the
store's own photos learns which of the 1280 features matter for its catalogue, and gets better
as staff add photos. Small enough to train in well under a second in NumPy, on every change.
"""

from dataclasses import dataclass

import numpy as np

# L2 penalty on the weights: with one to a few photos per model, a strong prior keeps the
# scores soft instead of certain about whatever the few photos happen to share.
L2 = 1e-3
STEPS = 300
LEARNING_RATE = 0.05
# Embeddings are unit vectors, so logits are small; this scale lets the softmax be decisive.
SCALE = 16.0


@dataclass(frozen=True)
class Classifier:
    """Weights (K×D float32), biases (K) and the catalogue model id of each of the K rows."""

    weights: np.ndarray
    biases: np.ndarray
    model_ids: list[int]

    def probabilities(self, embedding: np.ndarray) -> np.ndarray:
        return softmax(SCALE * (self.weights @ embedding) + self.biases)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from a vector of logits; the max is subtracted first so exp cannot overflow."""
    e = np.exp(logits - logits.max())
    return e / e.sum()


def classifier_fit(embeddings: np.ndarray, labels: list[int], *, seed: int = 0) -> Classifier:
    """Fit on N unit embeddings (N×D) labelled with catalogue model ids; full-batch Adam.

    Deterministic for the same inputs. Needs at least two models to tell apart.
    """
    model_ids = sorted(set(labels))
    if len(model_ids) < 2:
        raise ValueError("A classifier needs photos of at least two models.")
    index = {model_id: i for i, model_id in enumerate(model_ids)}
    y = np.array([index[label] for label in labels])
    x = embeddings.astype(np.float32)
    n, d = x.shape
    k = len(model_ids)
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((k, d)) * 0.01).astype(np.float32)
    b = np.zeros(k, np.float32)
    onehot = np.eye(k, dtype=np.float32)[y]
    # Models with more photos would otherwise win every close call.
    sample_weight = (1.0 / np.bincount(y, minlength=k)[y]).astype(np.float32)
    sample_weight *= n / sample_weight.sum()
    m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    for step in range(1, STEPS + 1):
        logits = SCALE * (x @ w.T) + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - onehot) * sample_weight[:, None] / n
        grad_w = SCALE * err.T @ x + L2 * w
        grad_b = err.sum(axis=0)
        w, m_w, v_w = _adam(w, grad_w, m_w, v_w, step)
        b, m_b, v_b = _adam(b, grad_b, m_b, v_b, step)
    return Classifier(weights=w, biases=b, model_ids=model_ids)


def _adam(
    param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = 0.9 * m + 0.1 * grad
    v = 0.999 * v + 0.001 * grad * grad
    m_hat = m / (1 - 0.9**step)
    v_hat = v / (1 - 0.999**step)
    return param - LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8), m, v
