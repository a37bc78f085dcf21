"""Amenities: things a description may mention that our listing data never holds, so every mention is
unsupported. No Django here.

Each table maps a label (completing "Mentions …, which the listing does not state.") to its pattern,
on lower-cased text, and the words the pattern cannot match without.
"""

from __future__ import annotations

import re

from descriptions.checks.claim import Claim, Judge
from descriptions.checks.numbers import Qualifier
from descriptions.facts import ListingFacts

HOME_AMENITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "a pool": (r"(?:swimming\s+|in-?ground\s+|private\s+)?pools?", ("pool",)),
    "a hot tub": (r"hot\s+tubs?|jacuzzis?|whirlpool(?:\s+tubs?)?", ("hot", "jacuzzi", "whirlpool")),
    "a garage": (r"(?:(?:\d|one|two|three|four)[\s-]+car\s+)?garages?|carports?", ("garage", "carport")),
    "a fireplace": (r"fireplaces?", ("fireplace",)),
    "a waterfront": (r"water\s?front|oceanfront|beachfront|lakefront|riverfront|bayfront|on\s+the\s+water",
                     ("front", "water")),
    "beach access": (r"beach\s+access|(?:steps|minutes|walk(?:ing\s+distance)?)\s+(?:from|to)\s+the\s+beach",
                     ("beach",)),
    "a view": (r"(?:ocean|sea|water|lake|mountain|city|river|bay|golf\s+course|panoramic|skyline)\s+views?",
               ("view",)),
    "a basement": (r"basements?", ("basement",)),
    "an attic": (r"attics?", ("attic",)),
    "air conditioning": (r"central\s+(?:air|a/?c|heat(?:ing)?)|air[\s-]condition(?:ing|ed|er)?|a/c|hvac",
                         ("central", "air", "a/c", "hvac")),
    "hardwood floors": (r"hardwood(?:\s+floor(?:s|ing)?)?|wood\s+floors?", ("wood",)),
    "tile floors": (r"(?:ceramic\s+|porcelain\s+)?tile\s+floor(?:s|ing)?", ("tile",)),
    "stone countertops": (r"(?:granite|quartz|marble)(?:\s+counter(?:top)?s)?", ("granite", "quartz", "marble")),
    "stainless steel appliances": (r"stainless(?:\s+steel)?(?:\s+appliances)?", ("stainless",)),
    "solar panels": (r"solar(?:\s+(?:panels?|power|energy|system|water\s+heater))?", ("solar",)),
    "a patio": (r"patios?|decks?|balcon(?:y|ies)|terraces?|porch(?:es)?|verandas?",
                ("patio", "deck", "balcon", "terrace", "porch", "veranda")),
    "a yard": (r"(?:back|front)?yards?|fenced(?:[\s-]in)?|fences?|gardens?|lawns?",
               ("yard", "fence", "garden", "lawn")),
    "a gated community": (r"gated(?:\s+(?:community|entry|entrance))?|security\s+(?:guards?|system|gate)"
                          r"|guard(?:ed)?\s+gate", ("gated", "security", "guard")),
    "an elevator": (r"elevators?", ("elevator",)),
    "a gym": (r"gym|fitness\s+(?:center|room)", ("gym", "fitness")),
    "laundry": (r"laundry(?:\s+room)?|washer|dryer|w/d", ("laundry", "washer", "dryer", "w/d")),
    "a dishwasher": (r"dishwashers?", ("dishwasher",)),
    "walk-in closets": (r"walk-?in\s+closets?", ("closet",)),
    "high ceilings": (r"(?:vaulted|high|cathedral|tray)\s+ceilings?", ("ceiling",)),
    "a renovation": (r"renovated|remodell?ed|updated|upgraded|newly\s+(?:built|painted)|new\s+roof|new\s+kitchen"
                     r"|move-?in\s+ready|turn-?key",
                     ("renovated", "remodel", "updated", "upgraded", "new", "move", "turn")),
    "a cistern or water heater": (r"cisterns?|water\s+tanks?|water\s+heaters?", ("cistern", "water")),
    "a generator": (r"(?:power\s+|backup\s+)?generators?", ("generator",)),
    "parking": (r"(?:off-street\s+|covered\s+|private\s+)?parking", ("parking",)),
    "furnishings": (r"(?:fully\s+)?(?:un)?furnished", ("furnished",)),
    "a pet policy": (r"pets?\s+(?:allowed|friendly|welcome)|pet-?friendly|no\s+pets", ("pet",)),
    "nearby places": (r"(?:near|close\s+to|minutes\s+from|steps\s+from|walk(?:ing\s+distance)?\s+to)\s+(?:the\s+)?"
                      r"(?:schools?|shopping|shops|stores|restaurants|parks?|highways?|hospitals?|downtown"
                      r"|universit(?:y|ies)|airport|malls?|bus\s+stops?|public\s+transport(?:ation)?|trains?|metro)",
                      ("near", "close", "minutes", "steps", "walk")),
}
CAR_AMENITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "leather seats": (r"leather(?:\s+(?:seats|seating|interior|upholstery))?", ("leather",)),
    "heated or powered seats": (r"(?:heated|cooled|ventilated|power|memory)\s+seats", ("seats",)),
    "a sunroof": (r"sun-?roof|moon-?roof|panoramic\s+roof", ("roof",)),
    "navigation": (r"navigation(?:\s+system)?|nav\s+system|gps|built-?in\s+nav", ("nav", "gps")),
    "a backup camera": (r"(?:backup|back-up|rear(?:view)?|reverse|360)[\s-]+cameras?", ("camera",)),
    "phone connectivity": (r"bluetooth|apple\s+carplay|carplay|android\s+auto", ("bluetooth", "carplay", "android")),
    "third-row seating": (r"(?:third|3rd)[\s-]+row(?:\s+seat(?:s|ing))?", ("row",)),
    "a tow package": (r"tow(?:ing)?\s+(?:package|hitch)|trailer\s+hitch|hitch", ("tow", "hitch")),
    "wheels or tires": (r"alloy\s+wheels|alloys|new\s+tires|new\s+brakes|(?:chrome|custom)\s+wheels",
                        ("alloy", "tires", "brakes", "wheels")),
    "keyless or remote start": (r"remote\s+start|keyless\s+(?:entry|start|go)|push[\s-]button\s+start",
                                ("remote", "keyless", "button")),
    "a premium sound system": (r"premium\s+(?:sound|audio)|bose|harman\s+kardon|jbl|sound\s+system",
                               ("premium", "bose", "harman", "jbl", "sound")),
    "driver assistance": (r"(?:adaptive\s+)?cruise\s+control"
                          r"|lane[\s-](?:keep(?:ing)?|departure)(?:\s+(?:assist|warning))?"
                          r"|blind[\s-]spot\s+(?:monitor(?:ing)?|detection|assist)", ("cruise", "lane", "blind")),
    "its ownership history": (r"(?:one|1|single)[\s-]owner|original\s+owner", ("owner",)),
    "an accident history": (r"carfax|autocheck|no\s+accidents|accident[\s-]free|clean\s+history",
                            ("carfax", "autocheck", "accident", "history")),
    "a warranty": (r"warrant(?:y|ies)", ("warrant",)),
    "its service history": (r"(?:service|maintenance)\s+records|(?:well|regularly|recently)\s+(?:maintained|serviced)"
                            r"|new\s+(?:battery|timing\s+belt|transmission|engine)",
                            ("records", "maintained", "serviced", "new")),
    "garage keeping": (r"garage[\s-]kept", ("garage",)),
    "accessories": (r"roof\s+rack|running\s+boards|bed\s?liner|lift\s+kit|lifted|tonneau\s+cover",
                    ("rack", "boards", "liner", "lift", "tonneau")),
    "low mileage": (r"low\s+(?:miles|mileage)", ("low",)),
    "fuel economy": (r"fuel[\s-]efficient|(?:great|good|excellent)\s+gas\s+mileage", ("efficient", "mileage")),
}


def amenity_claims(amenities: dict[str, tuple[str, tuple[str, ...]]]) -> tuple[Claim, ...]:
    """One claim per amenity of the table, each always unsupported."""
    return tuple(
        Claim(pattern=re.compile(rf"\b(?:{pattern})\b"), judge=_unsupported(label), triggers=triggers)
        for label, (pattern, triggers) in amenities.items()
    )


def _unsupported(label: str) -> Judge:
    message = f"Mentions {label}, which the listing does not state."

    def judge(match: re.Match[str], facts: ListingFacts, qualifier: Qualifier) -> str:
        return message

    return judge
