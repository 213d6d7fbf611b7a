"""Synthetic children's names, built from syllables (pure: the caller passes the random source).

No name here is taken from a person: a given name is an opening syllable plus an ending
syllable, a family name one common clan syllable, each with its Khmer spelling and a Latin
transliteration. Khmer order: family name first.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class Syllable(NamedTuple):
    latin: str
    khmer: str


FAMILY_SYLLABLES: tuple[Syllable, ...] = (
    Syllable("Sok", "សុខ"),
    Syllable("Chan", "ចាន់"),
    Syllable("Keo", "កែវ"),
    Syllable("Meas", "មាស"),
    Syllable("Heng", "ហេង"),
    Syllable("Lim", "លឹម"),
    Syllable("Prak", "ប្រាក់"),
    Syllable("Ouk", "អ៊ុក"),
    Syllable("Yim", "យឹម"),
    Syllable("Touch", "ទូច"),
    Syllable("Nov", "នូវ"),
    Syllable("Sim", "ស៊ីម"),
    Syllable("Som", "សោម"),
    Syllable("Mao", "ម៉ៅ"),
    Syllable("Chhim", "ឈឹម"),
    Syllable("Khiev", "ខៀវ"),
)

OPENING_SYLLABLES: tuple[Syllable, ...] = (
    Syllable("So", "សុ"),
    Syllable("Da", "ដា"),
    Syllable("Sre", "ស្រី"),
    Syllable("Vi", "វិ"),
    Syllable("Ra", "រ៉ា"),
    Syllable("Cha", "ចា"),
    Syllable("Mo", "មុ"),
    Syllable("Ka", "កា"),
    Syllable("Bo", "បូ"),
    Syllable("Tha", "ថា"),
    Syllable("Sam", "សំ"),
    Syllable("Pi", "ពិ"),
    Syllable("Ro", "រ"),
    Syllable("Li", "លី"),
    Syllable("Chan", "ចន្ទ"),
    Syllable("Sov", "សុវ"),
)

GIRL_ENDINGS: tuple[Syllable, ...] = (
    Syllable("phea", "ភា"),
    Syllable("ny", "នី"),
    Syllable("vy", "វី"),
    Syllable("leak", "លក្ខណ៍"),
    Syllable("mony", "មុនី"),
    Syllable("nita", "នីតា"),
    Syllable("lin", "លីន"),
    Syllable("pov", "ពៅ"),
    Syllable("da", "ដា"),
    Syllable("thy", "ធី"),
)

BOY_ENDINGS: tuple[Syllable, ...] = (
    Syllable("rith", "រិទ្ធ"),
    Syllable("ra", "រ៉ា"),
    Syllable("chea", "ជា"),
    Syllable("roth", "រ័ត្ន"),
    Syllable("vuth", "វុធ"),
    Syllable("sak", "សក្ដិ"),
    Syllable("kol", "កុល"),
    Syllable("nak", "ណាក់"),
    Syllable("rin", "រិន"),
    Syllable("tha", "ថា"),
)


class PersonName(NamedTuple):
    latin: str
    khmer: str


def given_name(rng: random.Random, sex: str) -> PersonName:
    """A two-syllable given name; ``sex`` is ``"female"`` or ``"male"``."""
    opening = rng.choice(OPENING_SYLLABLES)
    ending = rng.choice(GIRL_ENDINGS if sex == "female" else BOY_ENDINGS)
    return PersonName(opening.latin + ending.latin, opening.khmer + ending.khmer)


def child_name(rng: random.Random, sex: str) -> PersonName:
    """Family name then given name, e.g. ``PersonName("Keo Sovy", "កែវ សុវវី")``."""
    family = rng.choice(FAMILY_SYLLABLES)
    given = given_name(rng, sex)
    return PersonName(f"{family.latin} {given.latin}", f"{family.khmer} {given.khmer}")


def adult_name(rng: random.Random, sex: str) -> PersonName:
    """A parent's or a director's name: built like a child's (no real person's name)."""
    return child_name(rng, sex)


# Prefixes of Cambodian mobile numbers; the remaining six digits are random.
PHONE_PREFIXES = ("012", "015", "016", "017", "077", "078", "089", "092", "097")


def phone_number(rng: random.Random) -> str:
    """An invented mobile number written the usual way, e.g. ``"012 345 678"``."""
    return f"{rng.choice(PHONE_PREFIXES)} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"
