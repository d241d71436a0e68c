"""Pools of Faker values, made once per run and drawn from cheaply.

Calling Faker per row costs microseconds per value; a million rows with a
dozen columns would spend minutes there. Instead each kind of value (first
names, company names, sentences, ...) is generated once into a pool of a
few hundred entries from a Faker seeded with the run's seed, and rows draw
from the pools with ``random.Random.choices``. Uniqueness, where a column
needs it, is added by the caller (a row-number suffix), never by hoping the
pool is large enough.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from faker import Faker

POOL_SIZE = 400

_MAKERS: dict[str, Callable[[Faker], object]] = {
    "first_name": lambda f: f.first_name(),
    "last_name": lambda f: f.last_name(),
    "name": lambda f: f.name(),
    "username": lambda f: f.user_name(),
    "company": lambda f: f.company(),
    "word": lambda f: f.word(),
    "words": lambda f: " ".join(f.words(2)).title(),
    "title": lambda f: f.sentence(nb_words=4).rstrip("."),
    "sentence": lambda f: f.sentence(nb_words=10),
    "paragraph": lambda f: f.paragraph(nb_sentences=3),
    "domain": lambda f: f.domain_name(),
    "url": lambda f: f.url(),
    "uri_path": lambda f: f.uri_path(),
    "file_name": lambda f: f.file_name(),
    "file_path": lambda f: f.file_path(depth=3),
    "phone": lambda f: f.numerify("+1-###-###-####"),
    "city": lambda f: f.city(),
    "country": lambda f: f.country(),
    "country_code": lambda f: f.country_code(),
    "address": lambda f: f.street_address(),
    "postcode": lambda f: f.postcode(),
    "ipv4": lambda f: f.ipv4_public(),
    "user_agent": lambda f: f.user_agent(),
    "color": lambda f: f.hex_color(),
    "currency": lambda f: f.currency_code(),
    "locale": lambda f: f.locale(),
    "timezone": lambda f: f.timezone(),
    "mime": lambda f: f.mime_type(),
    "hash": lambda f: f.sha256(),
    "token": lambda f: f.hexify("^" * 40),
    "version": lambda f: f.numerify("#.#.#"),
    "cron": lambda f: f.random_element(["*/5 * * * *", "0 * * * *", "0 0 * * *", "15 3 * * 1", "*/15 * * * *"]),
    "region": lambda f: f.random_element(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1"]),
    "job": lambda f: f.job(),
    "code": lambda f: f"def {f.word()}():\n    return {f.random_int(0, 99)}\n",
    "language": lambda f: f.random_element(["python", "typescript", "go", "rust", "java", "ruby"]),
}


class Pools:
    """Lazily built value pools, all derived from one seed so two runs agree."""

    def __init__(self, seed: int, size: int = POOL_SIZE) -> None:
        self.seed = seed
        self.size = size
        self._pools: dict[str, list] = {}

    def get(self, kind: str) -> list:
        pool = self._pools.get(kind)
        if pool is None:
            faker = Faker("en_US")
            faker.seed_instance(f"{self.seed}:{kind}")
            make = _MAKERS[kind]
            pool = [make(faker) for _ in range(self.size)]
            self._pools[kind] = pool
        return pool

    def draw(self, kind: str, n: int, rng: random.Random) -> list:
        return rng.choices(self.get(kind), k=n)

    @staticmethod
    def kinds() -> tuple[str, ...]:
        return tuple(_MAKERS)
