"""The prompt an LLM drafts a description from, shared by generation and fine-tuning. No Django here.

Generation (``descriptions.engines.llm``) and fine-tuning (``descriptions.finetune``) both build the
prompt here, token for token, so an adapter is trained on exactly the prompt it will be asked.
"""

from __future__ import annotations

from typing import Any

from descriptions.engines import TONES, tone_check
from descriptions.facts import ListingFacts
from descriptions.vocabulary import BODY_NOUNS, DRIVE_NAMES, PRICE_IN_LINE_PERCENT, known, percent_above, state_name

MIN_WORDS = 60
MAX_WORDS = 120

TONE_INSTRUCTIONS: dict[str, str] = {
    "concise": "Tone: concise. Short, plain sentences that lead with the key facts; no flourishes.",
    "warm": "Tone: warm. Friendly and inviting, yet factual; no exaggeration.",
    "premium": "Tone: premium. Polished and refined, highlighting quality and value without exaggeration.",
}
assert set(TONE_INSTRUCTIONS) == set(TONES), "one instruction per tone"


def fact_lines(facts: ListingFacts) -> list[str]:
    """The known facts as bullet lines (``"- Bedrooms: 3"``), in a fixed order; unknown ones left out.

    The title is left out on purpose: it is the seller's own text, not a fact the check can hold a
    draft to ("Sunny 3BR with pool" would license a pool the data does not have).
    """
    return [f"- {label}: {value}" for label, value in _fact_values(facts) if value]


def description_messages(facts: ListingFacts, *, tone: str) -> list[dict[str, str]]:
    """The chat messages (system: rules and tone; user: the facts) asking for one description."""
    tone_check(tone)
    noun = "car" if facts.kind == "car" else "home"
    offer = "for rent" if facts.offer == "rent" else "for sale"
    if facts.offer == "rent":
        offer_rule = "This listing is a rental: say it is for rent and give the rent per month; never call it for sale."
    else:
        offer_rule = "This listing is for sale: never call it a rental."
    rules = [
        f"Describe the {noun}, not the people: never say who would suit it or who should live in it, buy it or "
        "drive it (no families, couples, singles, children, students, retirees, ages, religions, races, "
        "nationalities, genders or disabilities).",
        "State only the facts in the user's list. Never state a number, feature, place or fact that is not in "
        "the list; leave out anything the list does not give.",
        "Mention no amenities or features (pool, garage, fireplace, view, renovation, appliances, parking, "
        "warranty, ...) unless the list names them.",
        offer_rule,
        f"Write {MIN_WORDS}–{MAX_WORDS} words of plain prose in one or two paragraphs: no headings, lists, "
        "emoji or contact details.",
        TONE_INSTRUCTIONS[tone],
        "Reply with the description only.",
    ]
    system = "You write listing descriptions for TrustAsset, a marketplace for homes and cars. Rules:\n" + "\n".join(
        f"- {rule}" for rule in rules
    )
    user = f"Write a description of this {noun} {offer}.\nFacts:\n" + "\n".join(fact_lines(facts))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def description_prompt(tokenizer: Any, facts: ListingFacts, *, tone: str) -> str:
    """The prompt text: the tokenizer's chat template with the generation prompt when it has one, else
    the messages as plain paragraphs ending in ``"Description:\\n"``."""
    messages = description_messages(facts, tone=tone)
    if getattr(tokenizer, "chat_template", None):
        return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
    return "\n\n".join(message["content"] for message in messages) + "\n\nDescription:\n"


def description_prompt_ids(tokenizer: Any, facts: ListingFacts, *, tone: str) -> list[int]:
    """The prompt as token ids. A chat template writes its own special tokens; a plain prompt gets the
    tokenizer's usual ones (a BOS where the model has one)."""
    text = description_prompt(tokenizer, facts, tone=tone)
    add_special_tokens = not getattr(tokenizer, "chat_template", None)
    return list(tokenizer(text, add_special_tokens=add_special_tokens)["input_ids"])


def _fact_values(facts: ListingFacts) -> list[tuple[str, str]]:
    """(label, value) for every fact; value ``""`` when unknown."""
    rent = facts.offer == "rent"
    price = "" if facts.price is None else f"${float(facts.price):,.0f}" + (" per month" if rent else "")
    place = ", ".join(part for part in (facts.city.strip(), state_name(facts.state.strip())) if part)
    return [
        ("Rent" if rent else "Price", price),
        ("Location", place),
        ("ZIP code", facts.zip_code.strip()),
        ("Bedrooms", _number(facts.bed)),
        ("Bathrooms", _number(facts.bath)),
        ("Living area", "" if not facts.house_size else f"{facts.house_size:,.0f} square feet"),
        ("Lot", "" if not facts.acre_lot else f"{facts.acre_lot:g} acres"),
        ("Price per square foot", _price_per_sqft(facts)),
        ("Compared with similar listings nearby", _comparison(facts)),
        ("Last sold", "" if facts.prev_sold_date is None else facts.prev_sold_date.isoformat()),
        ("Model year" if facts.kind == "car" else "Year", _number(facts.year)),
        ("Make", _text(facts.make)),
        ("Model", _text(facts.model)),
        ("Mileage", "" if facts.odometer is None else f"{facts.odometer:,.0f} miles"),
        ("Condition", _text(facts.condition)),
        ("Cylinders", _text(facts.cylinders)),
        ("Fuel", _text(facts.fuel)),
        ("Transmission", _text(facts.transmission)),
        ("Drive", DRIVE_NAMES.get(facts.drive.strip().lower(), _text(facts.drive))),
        ("Size class", _text(facts.size)),
        ("Body", BODY_NOUNS.get(facts.body_type.strip().lower(), _text(facts.body_type))),
        ("Paint color", _text(facts.paint_color)),
        ("Title status", _text(facts.title_status)),
    ]


def _text(value: str) -> str:
    return value.strip() if known(value) else ""


def _number(value: object) -> str:
    return "" if value is None else f"{float(value):g}"  # type: ignore[arg-type]


def _price_per_sqft(facts: ListingFacts) -> str:
    if facts.kind == "car" or facts.offer == "rent" or facts.price is None or not facts.house_size:
        return ""
    return f"${float(facts.price) / facts.house_size:,.0f}"


def _comparison(facts: ListingFacts) -> str:
    if not _price_per_sqft(facts) or not facts.price_per_sqft_median:
        return ""
    assert facts.price is not None and facts.house_size
    percent = percent_above(price=float(facts.price), house_size=facts.house_size, median=facts.price_per_sqft_median)
    if abs(percent) < PRICE_IN_LINE_PERCENT:
        return "price per square foot in line with the median"
    side = "below" if percent < 0 else "above"
    return f"price per square foot {abs(percent):.0f}% {side} the median"
