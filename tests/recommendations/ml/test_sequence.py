"""SASRec sequence model: causal masking, learning a cycle, seeded determinism, save/load, cold start by
content, padding and short histories."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pytest
import torch

from recommendations.ml.sequence.config import GBCE, POPULARITY, SAMPLED_SOFTMAX, UNIFORM, SequenceConfig
from recommendations.ml.sequence.items import ItemVocabulary, repeats_collapsed, validation_position
from recommendations.ml.sequence.model import SasRec, SequenceModel
from recommendations.ml.sequence.training import sequence_train
from tests.conftest import torch_threads

CYCLE = np.array([101, 205, 307, 402, 550])
UNSEEN = np.array([900, 901, 902])
ITEM_IDS = np.concatenate([CYCLE, UNSEEN])
TINY = SequenceConfig(
    max_length=10, hidden=16, blocks=2, heads=2, dropout=0.1, negatives=8, batch_size=8, learning_rate=1e-2,
    max_epochs=40, patience=10, val_fraction=0.2, exclude_seen=False, seed=3, device="cpu",
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def cycle_sequences(users: int = 30, length: int = 12, seed: int = 0) -> list[np.ndarray]:
    """Each user walks CYCLE (A→B→C→D→E→A…) for ``length`` steps from a random item."""
    rng = np.random.default_rng(seed)
    return [CYCLE[(rng.integers(len(CYCLE)) + np.arange(length)) % len(CYCLE)] for _ in range(users)]


def cycle_content(seed: int = 0) -> np.ndarray:
    """(8, 32) random content, one row per ITEM_IDS item."""
    return np.random.default_rng(seed).standard_normal((len(ITEM_IDS), 32)).astype(np.float32)


def next_item_hits(model: SequenceModel, sequences: list[np.ndarray], *, exclude_seen: bool = False) -> float:
    """HR@1 of each sequence's last item from the items before it, ranking the known items only (and
    without the earlier items with ``exclude_seen``)."""
    scores = model.scores_batch([sequence[:-1] for sequence in sequences])
    scores[:, ~model.known(model.item_ids)] = -np.inf
    for row, sequence in enumerate(sequences):
        if exclude_seen:
            scores[row, np.isin(model.item_ids, sequence[:-1])] = -np.inf
    predicted = model.item_ids[scores.argmax(axis=1)]
    return float(np.mean(predicted == np.array([sequence[-1] for sequence in sequences])))


@pytest.fixture(scope="module")
def trained() -> tuple[SequenceModel, dict[str, float | int]]:
    with torch_threads(1):
        return sequence_train(cycle_sequences(), item_ids=ITEM_IDS, content=cycle_content(), config=TINY)


def small_network(**changes: object) -> SasRec:
    config = dataclasses.replace(TINY, max_length=8, **changes)  # type: ignore[arg-type]
    torch.manual_seed(0)
    content = torch.randn(9, 4)
    return SasRec(content=content, known=torch.ones(9, dtype=torch.bool), config=config).eval()


def test_it_never_lets_a_later_item_change_an_earlier_position() -> None:
    network = small_network()
    items = torch.tensor([[0, 0, 3, 1, 4, 1, 5, 9]])

    with torch.no_grad():
        original = network(items)
        for position in range(2, 8):
            changed = items.clone()
            changed[0, position] = 2
            perturbed = network(changed)

            assert torch.equal(perturbed[:, :position], original[:, :position])
            assert not torch.allclose(perturbed[:, position], original[:, position])


def test_it_gives_hidden_states_and_scores_with_the_right_shapes() -> None:
    network = small_network()
    items = torch.tensor([[0, 0, 3, 1, 4], [1, 2, 3, 4, 5]])

    with torch.no_grad():
        hidden = network(items)
        every_item = network.logits(hidden[:, -1])
        some_items = network.logits(hidden[:, -1], torch.tensor([4, 7]))

    assert hidden.shape == (2, 5, 16)
    assert torch.equal(hidden[0, :2], torch.zeros(2, 16))
    assert every_item.shape == (2, 10)
    assert torch.allclose(some_items, every_item[:, [4, 7]])


def test_it_starts_items_with_the_same_content_at_the_same_row() -> None:
    torch.manual_seed(0)
    content = torch.randn(4, 6)
    content[1] = content[0]
    content[3] = 0.0

    network = SasRec(content=content, known=torch.ones(4, dtype=torch.bool), config=TINY)

    with torch.no_grad():
        table = network.item_table()
    assert torch.equal(table[0], torch.zeros(16))
    assert torch.equal(table[1], table[2])
    assert not torch.allclose(table[1], table[3])
    assert torch.equal(table[4], network.item_embedding.weight[4])
    assert float(table[4].norm()) > 0.1


@pytest.mark.parametrize(("loss", "sampling"), [(SAMPLED_SOFTMAX, UNIFORM), (SAMPLED_SOFTMAX, POPULARITY),
                                                (GBCE, UNIFORM)])
def test_it_learns_a_deterministic_cycle(loss: str, sampling: str) -> None:
    sequences = cycle_sequences()
    config = dataclasses.replace(TINY, loss=loss, negative_sampling=sampling)  # type: ignore[arg-type]

    model, metrics = sequence_train([sequence[:-1] for sequence in sequences], item_ids=ITEM_IDS,
                                    content=cycle_content(), config=config)

    assert next_item_hits(model, sequences) == 1.0
    assert metrics["ndcg@10"] == 1.0
    assert metrics["hr@10"] == 1.0
    assert metrics["validation_users"] == 6
    assert metrics["training_positions"] == 30 * 10 - 6
    assert metrics["known_items"] == 5


def test_it_learns_new_items_along_a_chain_with_earlier_items_excluded() -> None:
    chain = np.arange(1, 21) * 10
    sequences = [chain[start:start + 6] for start in np.repeat(np.arange(15), 6)]
    config = dataclasses.replace(TINY, exclude_seen=True, max_epochs=30)

    model, metrics = sequence_train([sequence[:-1] for sequence in sequences], item_ids=chain, config=config)

    # Only the walks from 140 end on 200, which no training sequence reaches: the content ranker's.
    ends_known = [sequence for sequence in sequences if sequence[-1] != 200]
    assert model.known(np.array([190, 200])).tolist() == [True, False]
    assert len(ends_known) == 84
    assert metrics["validation_users"] == 18
    assert metrics["ndcg@10"] == 1.0
    assert next_item_hits(model, ends_known, exclude_seen=True) == 1.0


def test_it_is_deterministic_for_a_seed(trained: tuple[SequenceModel, dict[str, float | int]]) -> None:
    model, metrics = trained

    again, again_metrics = sequence_train(cycle_sequences(), item_ids=ITEM_IDS, content=cycle_content(), config=TINY)

    histories = cycle_sequences(users=5, seed=1)
    assert np.array_equal(again.scores_batch(histories), model.scores_batch(histories))
    assert {name: value for name, value in again_metrics.items() if name != "seconds_per_epoch"} == {
        name: value for name, value in metrics.items() if name != "seconds_per_epoch"
    }


def test_it_saves_and_loads_identical_scores(
    trained: tuple[SequenceModel, dict[str, float | int]], tmp_path: Path,
) -> None:
    model, metrics = trained
    buffer = io.BytesIO()

    model.save(tmp_path / "sasrec.pt")
    model.save(buffer)

    from_file = SequenceModel.load(tmp_path / "sasrec.pt", device="cpu")
    from_buffer = SequenceModel.load(io.BytesIO(buffer.getvalue()), device="cpu")
    histories = cycle_sequences(users=5, seed=1)
    expected = model.scores_batch(histories)
    assert from_file.config == TINY
    assert np.array_equal(from_file.item_ids, ITEM_IDS)
    assert np.array_equal(from_file.scores_batch(histories), expected)
    assert np.array_equal(from_buffer.scores_batch(histories), expected)
    assert np.array_equal(from_file.known(ITEM_IDS), model.known(ITEM_IDS))
    assert from_file.metrics == metrics


def test_it_marks_only_items_seen_in_training_as_known(
    trained: tuple[SequenceModel, dict[str, float | int]],
) -> None:
    model, _ = trained

    known = model.known(np.array([205, 900, 550, 12345]))

    assert known.tolist() == [True, False, True, False]


def test_it_scores_unseen_items_by_their_content() -> None:
    content = cycle_content()
    popular, similar, twin, other_twin = 1, 5, 6, 7
    content[similar] = content[popular] + 0.05 * np.random.default_rng(1).standard_normal(32)
    content[other_twin] = content[twin]

    model, _ = sequence_train(cycle_sequences(), item_ids=ITEM_IDS, content=content, config=TINY)

    scores = model.scores(np.array([402, 550, 101]))
    assert scores[twin] == scores[other_twin]
    assert np.argsort(-scores)[:2].tolist() == [popular, similar]


def test_it_skips_unknown_ids_and_reads_the_latest_max_length_items(
    trained: tuple[SequenceModel, dict[str, float | int]],
) -> None:
    model, _ = trained
    history = cycle_sequences(users=1, length=25, seed=2)[0]
    with_strangers = np.insert(history, [3, 20], [777, 888])

    scores = model.scores(with_strangers)

    assert scores.shape == (8,)
    assert scores.dtype == np.float32
    assert np.array_equal(scores, model.scores(history[-10:]))


def test_it_scores_a_short_history_alone_as_in_a_padded_batch(
    trained: tuple[SequenceModel, dict[str, float | int]],
) -> None:
    model, _ = trained
    short, long = np.array([307]), cycle_sequences(users=1, length=9, seed=4)[0]

    together = model.scores_batch([short, long])

    np.testing.assert_allclose(together[0], model.scores(short), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(together[1], model.scores(long), rtol=1e-5, atol=1e-5)
    assert model.item_ids[np.argmax(np.where(model.known(model.item_ids), together[0], -np.inf))] == 402


def test_it_refuses_a_history_without_any_known_id(trained: tuple[SequenceModel, dict[str, float | int]]) -> None:
    model, _ = trained

    with pytest.raises(ValueError, match="no item of the vocabulary"):
        model.scores(np.array([777, 888]))


def test_it_stops_early_and_keeps_the_best_epoch() -> None:
    rng = np.random.default_rng(5)
    noise = [rng.choice(ITEM_IDS, size=8) for _ in range(40)]
    config = dataclasses.replace(TINY, max_epochs=100, patience=2)

    _, metrics = sequence_train(noise, item_ids=ITEM_IDS, config=config)

    assert metrics["epochs_run"] == int(metrics["best_epoch"]) + 2
    assert int(metrics["epochs_run"]) < 100


def test_it_trains_every_epoch_without_validation() -> None:
    config = dataclasses.replace(TINY, val_fraction=0.0, max_epochs=3)

    _, metrics = sequence_train(cycle_sequences(), item_ids=ITEM_IDS, config=config)

    assert metrics["epochs_run"] == metrics["best_epoch"] == 3
    assert metrics["validation_users"] == 0
    assert np.isnan(metrics["ndcg@10"])


def test_it_refuses_to_validate_users_who_saw_one_item() -> None:
    config = dataclasses.replace(TINY, exclude_seen=True)

    with pytest.raises(ValueError, match="No user can be validated"):
        sequence_train([np.array([101, 101, 101])] * 3, item_ids=ITEM_IDS, config=config)


def test_it_validates_on_the_last_item_new_to_the_user() -> None:
    assert validation_position(np.array([5, 7, 5, 9, 7]), exclude_seen=True) == 3
    assert validation_position(np.array([5, 7, 5, 9, 7]), exclude_seen=False) == 4
    assert validation_position(np.array([5, 5]), exclude_seen=True) is None
    assert validation_position(np.array([5]), exclude_seen=False) is None


def test_it_refuses_ids_outside_the_vocabulary() -> None:
    with pytest.raises(ValueError, match=r"Items \[999\] of a sequence are not in item_ids"):
        sequence_train([np.array([101, 999, 205])], item_ids=ITEM_IDS, config=TINY)


def test_it_maps_ids_to_indices_after_padding() -> None:
    vocabulary = ItemVocabulary(np.array([30, 10, 20]))

    assert vocabulary.indices(np.array([10, 20, 30, 40])).tolist() == [2, 3, 1, 0]
    assert vocabulary.ids_of(np.array([1, 2, 3])).tolist() == [30, 10, 20]
    with pytest.raises(ValueError, match="unique"):
        ItemVocabulary(np.array([1, 2, 1]))


@pytest.mark.parametrize(("changes", "message"), [
    ({"hidden": 10, "heads": 3}, "multiple of heads"),
    ({"loss": GBCE, "negative_sampling": POPULARITY}, "uniformly sampled negatives"),
    ({"val_fraction": 1.0}, "val_fraction must be in"),
    ({"loss": "bpr"}, "loss must be"),
])
def test_it_refuses_inconsistent_settings(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SequenceConfig(**changes)  # type: ignore[arg-type]


def test_it_reads_a_run_of_events_on_one_item_as_one_step() -> None:
    assert repeats_collapsed(np.array([5, 5, 7, 7, 7, 5, 9])).tolist() == [5, 7, 5, 9]
    assert repeats_collapsed(np.array([3])).tolist() == [3]


def test_it_scores_a_history_with_repeats_as_without() -> None:
    model, _ = sequence_train(cycle_sequences(), item_ids=ITEM_IDS, config=dataclasses.replace(TINY, max_epochs=2))

    repeated = model.scores(np.array([CYCLE[0], CYCLE[0], CYCLE[1], CYCLE[1]]))

    assert repeated.tolist() == model.scores(CYCLE[:2]).tolist()


def test_it_scores_the_items_it_learned_alone_as_the_full_ranking_does() -> None:
    model, _ = sequence_train(cycle_sequences(), item_ids=ITEM_IDS, config=dataclasses.replace(TINY, max_epochs=2))

    known = model.known_scores(CYCLE[:2])

    assert model.known_item_ids.tolist() == CYCLE.tolist()  # the unseen items were never trained on
    assert known.tolist() == pytest.approx(model.scores(CYCLE[:2])[model.known_items].tolist(), abs=1e-5)
