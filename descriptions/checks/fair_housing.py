"""Fair-housing check: phrases that state who should or should not live somewhere. No Django here.

The principle is HUD's (the 1995 Achtenberg memo on advertising under the Fair Housing Act):
describe the property, not the people. Rules are whole-word, case-insensitive phrase patterns, each
with its protected category and a message. Decisions beyond the memo:

* Places of worship as landmarks ("near St. Mary's Church") are flagged under religion: HUD's
  former advertising guidelines named them as a way to signal a religious preference; a neutral
  landmark says the same about the location.
* Housing for older persons (HOPA: "55+ community", "62 and older") may say so, and no rule matches
  that designation; preferences for age groups ("seniors only", "young professionals",
  "mature couple") are flagged even there, since the designation is the lawful way to say it.
* "bachelor apartment" and "mother-in-law suite" describe a unit (the memo says so), while
  "bachelor pad" and "perfect for a bachelor" describe the occupant and are flagged under sex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from descriptions.checks.findings import FAIR_HOUSING, Finding

FAMILIAL_STATUS = "familial status"
RELIGION = "religion"
RACE = "race, colour or national origin"
DISABILITY = "disability"
SEX = "sex"
AGE = "age"
CATEGORIES = (FAMILIAL_STATUS, RELIGION, RACE, DISABILITY, SEX, AGE)

_SUITS = r"(?:perfect|ideal|great|suited|suitable|best|made|geared)\s+for\s+(?:a\s+|an\s+|the\s+)?"
_PEOPLE = r"(?:neighbou?rhood|community|area|famil(?:y|ies)|households?|tenants?|renters?|buyers?|owners?|people" \
          r"|residents|only|preferred)"
_FAITHS = r"christian|catholic|protestant|jewish|muslim|islamic|hindu|buddhist|sikh|mormon|evangelical|baptist"
_FAITH_PEOPLE = r"christians|catholics|protestants|jews|muslims|hindus|buddhists|sikhs|mormons|atheists"
_ORIGINS = r"white|black|caucasian|african[\s-]american|hispanic|latino|latina|asian|arab|mexican|chinese|korean" \
           r"|indian|irish|italian|polish|puerto\s+rican|dominican|cuban|haitian|anglo|foreign"
_WORSHIP = r"church(?:es)?|synagogues?|mosques?|temples?|cathedrals?|chapels?|parish|shrines?|gurdwaras?"


@dataclass(frozen=True)
class Rule:
    """A phrase rule: ``pattern`` reads the lower-cased text; ``triggers`` are words of which it cannot
    match without one (a cheap test before it runs)."""

    category: str
    pattern: str
    message: str
    triggers: tuple[str, ...]


RULES = (
    Rule(FAMILIAL_STATUS, r"no\s+(?:small\s+|young\s+)?(?:kids|children|child|minors|babies|infants|toddlers"
         r"|teens|teenagers)|child[\s-]?free|not\s+(?:suitable|safe)\s+for\s+(?:kids|children)"
         r"|no\s+more\s+than\s+(?:one|two|1|2)\s+(?:kids|children)",
         "It limits households with children. Describe the property, not the people.",
         ("kid", "child", "minor", "bab", "infant", "toddler", "teen")),
    Rule(FAMILIAL_STATUS, r"adults?\s+only|only\s+adults|adult\s+(?:living|building|complex|households?)",
         "It states a preference for adults. Describe the property, not the people.",
         ("adult",)),
    Rule(FAMILIAL_STATUS, _SUITS + r"(?:singles?|single\s+(?:person|people|adults?)|couples?|newlyweds"
         r"|empty[\s-]+nesters|(?:small\s+|young\s+|growing\s+)?famil(?:y|ies)(?:\s+with\s+(?:kids|children))?"
         r"|kids|children)"
         r"|(?:singles|couples?|newlyweds)\s+(?:only|preferred|wanted)|empty[\s-]+nesters?",
         "It says which households the home suits. Describe the property, not the people.",
         ("single", "couple", "newlywed", "nester", "famil", "kid", "child")),
    Rule(RELIGION, rf"(?:{_FAITHS})\s+(?:homes?|{_PEOPLE})|no\s+(?:{_FAITH_PEOPLE})"
         rf"|(?:{_FAITH_PEOPLE})\s+(?:only|preferred|welcome)",
         "It states a religious preference. Describe the property, not the people.",
         ("christian", "catholic", "protestant", "jew", "muslim", "islam", "hindu", "buddhist", "sikh", "mormon",
          "evangelical", "baptist", "atheist")),
    Rule(RELIGION, r"(?:near|close\s+to|next\s+to|across\s+from|steps\s+from|minutes\s+from|blocks?\s+from|walk\s+to"
         rf"|walking\s+distance\s+(?:to|from|of))\s+(?:the\s+|a\s+)?(?:[\w'’.]+\s+){{0,3}}?(?:{_WORSHIP})",
         "Naming a place of worship as a landmark can signal a religious preference; use a neutral landmark.",
         ("church", "synagogue", "mosque", "temple", "cathedral", "chapel", "parish", "shrine", "gurdwara")),
    Rule(RACE, rf"(?:{_ORIGINS})\s+{_PEOPLE}|no\s+(?:hispanics|latinos|mexicans|blacks|whites|asians|arabs|indians"
         r"|chinese|immigrants|foreigners|aliens)",
         "It describes the people by race, colour or origin. Describe the property, not the people.",
         ("white", "black", "caucasian", "african", "hispanic", "latin", "asian", "arab", "mexican", "chinese",
          "korean", "indian", "irish", "italian", "polish", "puerto", "dominican", "cuban", "haitian", "anglo",
          "foreign", "immigrant", "alien")),
    Rule(RACE, r"exclusive\s+(?:neighbou?rhood|community|area|enclave|subdivision|street|block)"
         r"|(?:racially\s+)?integrated\s+(?:neighbou?rhood|community|area|building)"
         r"|ethnic\s+(?:neighbou?rhood|community|area)|segregated|restricted\s+(?:community|neighbou?rhood|covenant)"
         r"|ghetto",
         "It suggests who lives in the neighbourhood, or who is kept out. Describe the property, not the people.",
         ("exclusive", "integrated", "ethnic", "segregated", "restricted", "ghetto")),
    Rule(RACE, r"english[\s-]+(?:speakers?|speaking)\s+only|(?:must|should)\s+speak\s+english|english\s+only"
         r"|(?:u\.?s\.?\s+|american\s+)?citizens\s+only|native[\s-]+born",
         "It limits buyers or tenants by national origin. Describe the property, not the people.",
         ("english", "citizen", "native")),
    Rule(DISABILITY, r"no\s+(?:wheelchairs?|wheelchair\s+users|disabled|handicapped|cripples|mentally\s+ill"
         r"|mental\s+illness|psychiatric\s+(?:patients|history)|(?:blind|deaf)\s+(?:people|persons|tenants)"
         r"|service\s+animals?"
         r"|emotional\s+support\s+animals?)"
         r"|not\s+(?:suitable|suited)\s+for\s+(?:the\s+)?(?:handicapped|disabled|wheelchairs?|wheelchair\s+users)",
         "It excludes people with disabilities. Describe the property, not the people.",
         ("wheelchair", "disabled", "handicapped", "cripple", "mental", "psychiatric", "blind", "deaf", "animal")),
    Rule(DISABILITY, r"able[\s-]bodied|physically\s+fit|healthy\s+(?:tenants?|buyers?|people|individuals?|persons?)"
         r"|must\s+(?:be\s+able\s+to\s+)?(?:climb|walk\s+up)\s+(?:the\s+)?stairs"
         r"|must\s+be\s+able\s+to\s+(?:walk|see|hear)"
         r"|(?:non-?handicapped|non-?disabled)\s+only|mentally\s+(?:ill|handicapped|retarded)|crippled|retarded"
         r"|must\s+be\s+independent",
         "It states a preference for people without disabilities; describe the property's access instead.",
         ("able", "fit", "healthy", "stairs", "handicapped", "disabled", "mentally", "crippled", "retarded",
          "independent")),
    Rule(SEX, r"(?:females?|males?|women|men|ladies|gentlemen|girls|guys|lady|gentleman|woman|man)\s+only"
         r"|only\s+(?:females?|males?|women|men)|no\s+(?:men|women|males|females|girls|guys)"
         r"|(?:female|male|woman|man|lady|gentleman)\s+(?:preferred|wanted)",
         "It limits buyers or tenants by sex. Describe the property, not the people.",
         ("male", "men", "man", "lad", "girl", "guy")),
    Rule(SEX, r"bachelor(?:ette)?\s+pad|" + _SUITS + r"(?:bachelors?|bachelorettes?"
         r"|single\s+(?:m[ae]n|wom[ae]n|guys?|girls?|females?|males?)|(?:working\s+)?(?:man|woman|lady|gentleman))",
         "It says which sex the home suits. Describe the property, not the people.",
         ("bachelor", "single", "man", "men", "lad")),
    Rule(AGE, r"(?:seniors?|senior\s+citizens|retirees|elderly|older\s+(?:adults|people|persons))\s+only"
         r"|no\s+(?:seniors|elderly|retirees|young\s+people)"
         r"|must\s+be\s+(?:over|under|at\s+least|older\s+than|younger\s+than)\s+\d+|(?:over|under)\s+\d+\s+only",
         "It limits buyers or tenants by age; housing for older persons states its 55+ or 62+ designation.",
         ("senior", "retiree", "elderly", "older", "young", "must", "only")),
    Rule(AGE, r"young\s+(?:professionals?|people|persons?|couples?|adults?|singles)"
         r"|mature\s+(?:persons?|people|adults?|couples?|individuals?|tenants?|buyers?|residents?|lady|gentleman"
         r"|m[ae]n|wom[ae]n)|" + _SUITS
         + r"(?:seniors|retirees|elderly|older\s+(?:people|adults|couples?)|retired\s+couples?)",
         "It states a preference for an age group. Describe the property, not the people.",
         ("young", "mature", "senior", "retire", "elderly", "older")),
)
# Phrases HUD accepts as descriptions of the property; a rule's match inside one is not a finding.
ACCEPTED_PHRASES = (
    "master bedroom", "master suite", "mother-in-law suite", "bachelor apartment", "family room", "den",
    "great view", "walk to bus stop", "walking distance", "walk-in closet", "walk-up", "quiet neighborhood",
    "desirable neighborhood", "rare find", "handicap accessible", "wheelchair accessible", "accessible",
    "55+ community", "55 and older community", "senior housing",
)

_PATTERNS = tuple(re.compile(rf"\b(?:{rule.pattern})\b") for rule in RULES)
_ACCEPTED = re.compile(r"\b(?:" + "|".join(map(re.escape, ACCEPTED_PHRASES)) + r")\b")


def fair_housing_check(text: str) -> list[Finding]:
    """Every phrase of ``text`` that breaks a fair-housing rule, in text order; the message names the
    category ("Fair housing (familial status): It states a preference for adults. …")."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters grow when lower-cased: keep offsets those of text
        lowered = "".join(character if len(character.lower()) != 1 else character.lower() for character in text)
    matches = [
        (match.start(), match.end(), rule)
        for rule, pattern in zip(RULES, _PATTERNS, strict=True)
        if any(trigger in lowered for trigger in rule.triggers)
        for match in pattern.finditer(lowered)
    ]
    if not matches:
        return []
    accepted = [phrase.span() for phrase in _ACCEPTED.finditer(lowered)]
    findings: list[Finding] = []
    for start, end, rule in sorted(matches, key=lambda found: (found[0], -found[1])):
        inside_accepted = any(low <= start and end <= high for low, high in accepted)
        if inside_accepted or (findings and start < findings[-1].end):
            continue
        findings.append(Finding(
            kind=FAIR_HOUSING, start=start, end=end, span=text[start:end],
            message=f"Fair housing ({rule.category}): {rule.message}",
        ))
    return findings
