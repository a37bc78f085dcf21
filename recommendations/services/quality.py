"""How coherent the stored neighbours are, next to plain kNN on the raw features (a regression alarm)."""

from __future__ import annotations

import numpy as np

from listings.models import Listing
from recommendations.ml.similarity_quality import ListingAttributes, exact_knn_baseline, neighbour_coherence
from recommendations.models import RECOMMENDABLE_STATUSES, ItemEmbedding, NeighbourList
from recommendations.services import artifacts
from recommendations.services.frames import listing_frame
from registry.selectors import version_active

TOP = 10


def similarity_quality(*, kind: str, sample: int, seed: int = 0) -> dict[str, dict[str, float]] | None:
    """``{"project": metrics, "baseline": metrics}`` over a random sample of listings with a stored list."""
    version = version_active(kind=kind)
    if version is None:
        return None
    embedded = Listing.objects.filter(pk__in=ItemEmbedding.objects.filter(version=version).values("listing_id"))
    frame = listing_frame(listings=embedded, kind=kind)
    ids = frame["id"].to_numpy(dtype=np.int64)
    statuses = dict(embedded.values_list("pk", "status"))
    available = np.array([statuses[pk] in RECOMMENDABLE_STATUSES for pk in ids.tolist()])
    lists = dict(NeighbourList.objects.filter(version=version).values_list("source_id", "target_ids"))
    candidates = np.array([pk for pk in ids.tolist() if lists.get(pk)], dtype=np.int64)
    chosen = np.sort(np.random.default_rng(seed).choice(candidates, size=min(sample, len(candidates)), replace=False))
    sources = np.searchsorted(ids, chosen)
    project = np.full((len(chosen), TOP), -1, dtype=np.int64)
    for row, source in enumerate(chosen.tolist()):
        targets = np.array(lists[source][:TOP], dtype=np.int64)
        positions = np.searchsorted(ids, targets)
        found = (positions < len(ids)) & (ids[np.minimum(positions, len(ids) - 1)] == targets)
        project[row, : found.sum()] = positions[found]
    features = artifacts.encoder_artifact(version=version).pipeline.transform(frame)
    baseline = exact_knn_baseline(features, sources, TOP, corpus_mask=available)
    attributes = _attributes(frame)
    return {
        "project": neighbour_coherence(source_positions=sources, neighbour_positions=project, attributes=attributes),
        "baseline": neighbour_coherence(source_positions=sources, neighbour_positions=baseline, attributes=attributes),
    }


def _attributes(frame: object) -> ListingAttributes:
    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy() if name in frame else np.full(len(frame), np.nan)  # type: ignore[index,operator,arg-type]

    return ListingAttributes(
        price=column("price").astype(float), city=column("city"), state=column("state"),
        bed=column("bed").astype(float), bath=column("bath").astype(float),
        lat=column("lat").astype(float), lon=column("lon").astype(float),
    )
