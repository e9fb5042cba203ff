"""Rank catalogue models for one query embedding: classifier, neighbours, same-picture check."""

from dataclasses import dataclass

import numpy as np

from snapcar.classifier import softmax
from snapcar.index import LoadedIndex
from snapcar.keypoints import SAME_PICTURE_INLIERS, Features, same_picture_inliers

# Cosine similarities of ImageNet embeddings sit in a narrow band (0.5–0.9); this sharpens
# the neighbour softmax so the nearest model stands out.
NEIGHBOUR_TEMPERATURE = 20.0
# How much the learned classifier counts against the plain nearest neighbours, when both exist.
CLASSIFIER_WEIGHT = 0.5
# Photos keypoint-checked per query: those of the best models, and the nearest photos overall.
KEYPOINT_MODELS = 8
KEYPOINT_PHOTOS = 16
# A bound on the checks whatever the number of photos per model: about 1 ms each.
MAX_KEYPOINT_CHECKS = 40


@dataclass(frozen=True)
class Ranked:
    model_id: int
    score: float  # 0–1
    similarity: float  # cosine to the nearest photo of this model
    same_picture_photo_id: int | None  # one of our catalogue pictures, re-photographed


def rank_models(index: LoadedIndex, embedding: np.ndarray, features: Features, *, limit: int) -> list[Ranked]:
    """The ``limit`` best models, best first. Scores add up to at most 1 over all models,
    except that a re-photographed catalogue picture lifts its model to at least 0.95."""
    sims = index.embeddings @ embedding
    model_ids = np.unique(index.model_ids)
    nearest = np.array([sims[index.model_ids == m].max() for m in model_ids])
    neighbour = softmax(NEIGHBOUR_TEMPERATURE * nearest)
    scores = dict(zip(model_ids.tolist(), neighbour.tolist(), strict=True))
    if index.classifier is not None:
        probabilities = dict(
            zip(index.classifier.model_ids, index.classifier.probabilities(embedding), strict=True)
        )
        for m in scores:
            scores[m] = (1 - CLASSIFIER_WEIGHT) * scores[m] + CLASSIFIER_WEIGHT * float(
                probabilities.get(m, 0.0)
            )
    same = _same_picture(index, sims, scores, features)
    for model_id, (_photo_id, inliers) in same.items():
        scores[model_id] = max(scores[model_id], 0.95 + 0.05 * min(1.0, inliers / 200))
    best = sorted(scores, key=lambda m: -scores[m])[:limit]
    similarity = dict(zip(model_ids.tolist(), nearest.tolist(), strict=True))
    return [
        Ranked(
            model_id=m,
            score=round(scores[m], 3),
            similarity=round(similarity[m], 3),
            same_picture_photo_id=same.get(m, (None, 0))[0],
        )
        for m in best
    ]


def _same_picture(
    index: LoadedIndex, sims: np.ndarray, scores: dict[int, float], features: Features
) -> dict[int, tuple[int, int]]:
    """Model id -> (photo id, inliers) for catalogue pictures the query is a photo of.

    Only likely candidates are checked (about 1 ms each): a photo of our own picture embeds
    close to it, so it is among the nearest photos or the best models.
    """
    top_models = set(sorted(scores, key=lambda m: -scores[m])[:KEYPOINT_MODELS])
    candidates = {index.photo_ids[i] for i in np.argsort(-sims)[:KEYPOINT_PHOTOS]}
    candidates |= {
        p for p, m in zip(index.photo_ids, index.model_ids.tolist(), strict=True) if m in top_models
    }
    if len(candidates) > MAX_KEYPOINT_CHECKS:
        by_similarity = dict(zip(index.photo_ids, sims.tolist(), strict=True))
        candidates = set(sorted(candidates, key=lambda p: -by_similarity[p])[:MAX_KEYPOINT_CHECKS])
    model_of = dict(zip(index.photo_ids, index.model_ids.tolist(), strict=True))
    found: dict[int, tuple[int, int]] = {}
    for photo_id in sorted(candidates):
        inliers = same_picture_inliers(features, index.keypoints(photo_id))
        model_id = model_of[photo_id]
        if inliers >= SAME_PICTURE_INLIERS and inliers > found.get(model_id, (0, 0))[1]:
            found[model_id] = (photo_id, inliers)
    return found
