"""Catalogue search: brand, model, body and powertrain words, in English and Chinese.

A query is cut into words (Latin words, and runs of Chinese characters split on the names and
words we know, since Chinese has no spaces: 比亚迪海豹 -> 比亚迪, 海豹). Body and powertrain
words become filters; every other word must match the brand's or the model's name in either
language. Latin words forgive typos: everywhere by correcting the word to the nearest one in the
catalogue's own vocabulary (difflib), and on PostgreSQL also by pg_trgm's word similarity. Results are ranked:
an exact model name above an exact brand above a partial match.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Greatest
from django.utils import translation

from fleet.models import BodyType, CarModel, Powertrain
from vendingstore.i18n import is_chinese

MAX_QUERY_LENGTH = 100
# pg_trgm word similarity at or above which a Latin word counts as a (misspelt) match: "tesle"
# and "Tesla" score 0.5, "byd" and "bmw" 0.2.
TRIGRAM_THRESHOLD = 0.45
# difflib ratio for the SQLite fallback and for suggestions: "modle" -> "model" is 0.8.
CLOSE_RATIO = 0.75
SUGGEST_RATIO = 0.4

# Words customers use beyond the choice labels (which are added in both languages below).
# 新能源 ("new energy") is China's legal class of plug-in cars: battery, plug-in and range-extended.
_EXTRA_POWERTRAIN_WORDS: dict[str, set[str]] = {
    "electric": {Powertrain.BEV},
    "ev": {Powertrain.BEV},
    "bev": {Powertrain.BEV},
    "电动": {Powertrain.BEV},
    "纯电": {Powertrain.BEV},
    "电车": {Powertrain.BEV},
    "phev": {Powertrain.PHEV},
    "plug-in": {Powertrain.PHEV},
    "插混": {Powertrain.PHEV},
    "插电": {Powertrain.PHEV},
    "erev": {Powertrain.EREV},
    "增程": {Powertrain.EREV},
    "hybrid": {Powertrain.HEV, Powertrain.PHEV},
    "混动": {Powertrain.HEV, Powertrain.PHEV, Powertrain.EREV},
    "hev": {Powertrain.HEV},
    "petrol": {Powertrain.ICE},
    "gasoline": {Powertrain.ICE},
    "燃油": {Powertrain.ICE},
    "汽油": {Powertrain.ICE},
    "nev": {Powertrain.BEV, Powertrain.PHEV, Powertrain.EREV},
    "新能源": {Powertrain.BEV, Powertrain.PHEV, Powertrain.EREV},
}
_EXTRA_BODY_WORDS: dict[str, set[str]] = {
    "saloon": {BodyType.SEDAN},
    "suv": {BodyType.SUV},
    "mpv": {BodyType.MPV},
    "coupe": {BodyType.COUPE},
    "轿跑": {BodyType.COUPE},
    "跑车": {BodyType.COUPE},
    "wagon": {BodyType.WAGON},
    "两厢": {BodyType.HATCHBACK},
    "商务车": {BodyType.MPV},
}

_TOKEN = re.compile(r"[0-9a-z][0-9a-z\-.+]*|[\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class SearchTerms:
    """A query taken apart: words to find in names, and body and powertrain filters."""

    words: list[str] = field(default_factory=list)
    body_types: set[str] = field(default_factory=set)
    powertrains: set[str] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.body_types or self.powertrains)


def _choice_words(
    choices: type[BodyType] | type[Powertrain], extra: dict[str, set[str]]
) -> dict[str, set[str]]:
    """Each choice's label in English and Chinese, lower-cased, plus the extra words."""
    words: dict[str, set[str]] = {key: set(values) for key, values in extra.items()}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                words.setdefault(str(label).lower(), set()).add(value)
    return words


def _category_words() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return _choice_words(BodyType, _EXTRA_BODY_WORDS), _choice_words(Powertrain, _EXTRA_POWERTRAIN_WORDS)


def search_vocabulary() -> list[tuple[str, str, str, str]]:
    """(name, name_zh, brand name, brand name_zh) of every listed model: one query."""
    return list(
        CarModel.objects.filter(is_listed=True)
        .order_by("brand__name", "name")
        .values_list("name", "name_zh", "brand__name", "brand__name_zh")
    )


def _split_chinese(run: str, known: list[str]) -> list[str]:
    """Cut a run of Chinese characters at the known words it contains, longest first."""
    if run in known:
        return [run]
    for word in sorted(known, key=len, reverse=True):
        if word and word in run:
            before, _, after = run.partition(word)
            return [*_split_chinese(before, known), word, *_split_chinese(after, known)]
    return [run] if run else []


def search_parse(*, query: str, vocabulary: list[tuple[str, str, str, str]]) -> SearchTerms:
    """Take a query apart. Latin words are lower-cased; unknown Chinese runs stay whole."""
    bodies, powertrains = _category_words()
    known_chinese = [w for row in vocabulary for w in row if w and _CJK.search(w)]
    known_chinese += [w for w in (*bodies, *powertrains) if _CJK.search(w)]
    terms = SearchTerms()
    tokens: list[str] = []
    for token in _TOKEN.findall(query[:MAX_QUERY_LENGTH].lower()):
        tokens += _split_chinese(token, known_chinese) if _CJK.match(token) else [token]
    for token in tokens:
        if token in bodies:
            terms.body_types |= bodies[token]
        elif token in powertrains:
            terms.powertrains |= powertrains[token]
        else:
            terms.words.append(token)
    return terms


def _latin_vocabulary(vocabulary: list[tuple[str, str, str, str]]) -> set[str]:
    words: set[str] = set()
    for name, _zh, brand, _brand_zh in vocabulary:
        words.update(_TOKEN.findall(f"{name} {brand}".lower()))
    return words


def _corrected(word: str, latin: set[str]) -> str:
    """The word itself when the catalogue contains it, else its nearest catalogue word."""
    if _CJK.search(word) or any(word in known for known in latin):
        return word
    nearest = difflib.get_close_matches(word, latin, n=1, cutoff=CLOSE_RATIO)
    return nearest[0] if nearest else word


def _contains(word: str) -> Q:
    return (
        Q(name__icontains=word)
        | Q(name_zh__icontains=word)
        | Q(brand__name__icontains=word)
        | Q(brand__name_zh__icontains=word)
    )


def _exactness(word: str) -> Case:
    """3 for the model's own name, 2 for the brand's, 1 for part of a name."""
    return Case(
        When(Q(name__iexact=word) | Q(name_zh=word), then=Value(3)),
        When(Q(brand__name__iexact=word) | Q(brand__name_zh=word), then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )


def carmodel_search(
    queryset: QuerySet[CarModel], *, query: str, vocabulary: list[tuple[str, str, str, str]] | None = None
) -> QuerySet[CarModel]:
    """Models matching every word of ``query``, annotated with ``search_rank`` (higher is better).

    The caller orders by ``-search_rank``. An empty query (or one of punctuation only) returns the
    queryset unchanged, without ``search_rank``. One query for the vocabulary unless given.
    """
    if vocabulary is None:
        vocabulary = search_vocabulary()
    terms = search_parse(query=query, vocabulary=vocabulary)
    if terms.is_empty:
        return queryset
    if terms.body_types:
        queryset = queryset.filter(body_type__in=terms.body_types)
    if terms.powertrains:
        queryset = queryset.filter(powertrain__in=terms.powertrains)
    rank: list[object] = [Value(1.0)]
    on_postgres = connection.vendor == "postgresql"
    latin = _latin_vocabulary(vocabulary)
    for position, word in enumerate(terms.words):
        corrected = _corrected(word, latin)
        matches = _contains(corrected)
        rank.append(Cast(_exactness(corrected), FloatField()))
        if on_postgres and not _CJK.search(word):
            # Trigrams catch misspellings the vocabulary cannot (a word not in any name's words,
            # "tesle model"); difflib catches swapped letters trigrams miss ("sael": one shared
            # trigram with "seal").
            similarity = f"search_similarity_{position}"
            queryset = queryset.annotate(**{similarity: _word_similarity(word)})
            matches |= Q(**{f"{similarity}__gte": TRIGRAM_THRESHOLD})
            rank.append(F(similarity))
        queryset = queryset.filter(matches)
    total = rank[0]
    for part in rank[1:]:
        total = total + part  # type: ignore[operator]
    return queryset.annotate(search_rank=total)


def _word_similarity(word: str) -> Greatest:
    # Imported here: django.contrib.postgres is not an installed app, and its functions are
    # only needed (and only valid) on PostgreSQL.
    from django.contrib.postgres.search import TrigramWordSimilarity

    return Greatest(TrigramWordSimilarity(word, "name"), TrigramWordSimilarity(word, "brand__name"))


def carmodel_search_suggest(
    *, query: str, vocabulary: list[tuple[str, str, str, str]] | None = None
) -> list[str]:
    """Up to three model or brand names, in the active language, nearest to a query that found
    nothing; empty when nothing is near."""
    if vocabulary is None:
        vocabulary = search_vocabulary()
    chinese = is_chinese()
    names: dict[str, str] = {}
    for _name, _name_zh, brand, brand_zh in vocabulary:
        for key in (brand, brand_zh):
            if key:
                names[key.lower()] = brand_zh if chinese and brand_zh else brand
    for name, name_zh, brand, brand_zh in vocabulary:
        shown_brand = brand_zh if chinese and brand_zh else brand
        shown = f"{shown_brand} {name_zh if chinese and name_zh else name}"
        for key in (name, name_zh, f"{brand} {name}", f"{brand_zh}{name_zh}"):
            if key:
                names.setdefault(key.lower(), shown)
    wanted = query[:MAX_QUERY_LENGTH].strip().lower()
    found: list[str] = []
    for key in difflib.get_close_matches(wanted, names, n=10, cutoff=SUGGEST_RATIO):
        if names[key] not in found:
            found.append(names[key])
    return found[:3]
