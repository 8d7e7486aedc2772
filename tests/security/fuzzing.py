"""Hypothesis strategies for what a browser (or anyone with curl) may post to a form of the app."""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import strategies as st

TODAY = timezone.localdate()
# Not a value: the field is left out of the request.
MISSING = object()
NONCE = itertools.count()


@dataclass(frozen=True)
class SameAs:
    """The value drawn for another field (a password typed twice)."""

    name: str


def fr(day):
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def iso(day):
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


BAD_DATES = ["31/02/2026", "05/06/45", "0000-00-00", "00/00/0000", "29/02/2025", "32/01/2026", "01/13/2026",
             "2026-02-30", "1/1/1", "31/12/9999", "01/01/0001", "99/99/9999", "-01/01/2026", "01/01/20260",
             "2026/01/01", "01.01.2026", "today", "١٢/٠١/٢٠٢٦", "29/02/2024"]
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x00" * 3, "'; DROP TABLE pathway_patient; --", "' OR '1'='1", "1 OR 1=1",
    "%", "%%", "%s", "\\", "\\x00", "{{ 7*7 }}", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)", "-1", "-32769", "0", "32768", "65536", "2147483648", "99999999999999999999",
    "1e309", "NaN", "Infinity", "-Infinity", "1.5", "0x10", "١٢", "true", "on", "[]", "{}", "null", "None",
    "\u202eevil", "\ufeff", "\u200b", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "é" * 3000, "x" * 100_000, "A" * 256, "\r\n", "\t",
    "00000000-0000-0000-0000-000000000000", "../../etc/passwd", *BAD_DATES,
]

near_day = st.one_of(st.integers(-60, 0), st.integers(-3 * 366, 20)).map(lambda n: TODAY + timedelta(days=n))
any_day = st.dates(date(1, 1, 1), date(9999, 12, 31))
typed_date = st.one_of(near_day.map(fr), near_day.map(fr), near_day.map(iso), any_day.map(fr),
                       near_day.map(lambda d: d.strftime("%d/%m/%y")), st.sampled_from(BAD_DATES))
# A likely date: near today, as the date picker or a person types it (others come from `hostile`).
day = st.one_of(near_day.map(fr), near_day.map(fr), near_day.map(iso))
birth_date = st.one_of(st.dates(date(1900, 1, 1), TODAY).map(fr), day)
hostile = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str), typed_date,
    st.binary(max_size=16).map(lambda raw: raw.decode("latin-1")),
)
words = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
text = st.one_of(words, words, st.text(max_size=60), st.sampled_from(["Dr Anne Leroy", "Anxiété", "  ", "x" * 2001]))
name = st.one_of(st.sampled_from(["Martin", "Lefèvre", "N'Diaye", "O'Brien-Dupont", "Zoé"]), st.text(max_size=20))
boolean = st.sampled_from(["on", "", "true", "false", "1", "0"])
small_number = st.integers(-3, 40).map(str)


def choice(*values):
    return st.sampled_from(values)


spoiled = st.one_of(hostile, st.just(MISSING), st.lists(hostile, min_size=2, max_size=3))


@st.composite
def form_data(draw, fields, extras=True):
    """Half the time a plausible form, whole or with one or two fields spoiled (to reach the services and
    their rules), else every field at random: a likely value, a hostile one, several at once, or left out."""
    names = sorted(fields)
    if names and draw(st.booleans()):
        data = {name: draw(fields[name]) for name in names}
        for name in draw(st.one_of(st.just(set()), st.sets(st.sampled_from(names), min_size=1, max_size=2))):
            data[name] = draw(spoiled)
    else:
        data = {name: draw(st.one_of(fields[name], fields[name], spoiled)) for name in names}
    extra = draw(st.dictionaries(st.sampled_from(EXTRA_FIELDS), hostile, max_size=3)) if extras else {}
    return resolve(extra | data)


# Fields no form of the app has: a form that took them would let a user set what is not theirs to set.
EXTRA_FIELDS = ["id", "pk", "psychologist", "psychologist_id", "patient", "status", "role", "is_staff",
                "is_superuser", "issued_at", "released_to", "search_name", "sent_by", "x" * 300, "__proto__",
                "csrfmiddlewaretoken"]


def resolve(data):
    data = {key: value for key, value in data.items() if value is not MISSING}
    for key, value in data.items():
        if isinstance(value, SameAs):
            data[key] = data.get(value.name, "")
    data["fuzz_nonce"] = str(next(NONCE))  # every request differs: none is taken for a double click
    return data


def upload(contents):
    names = st.one_of(st.sampled_from(["lettre.pdf", "scan.png", "scan.JPG", "lettre", ".pdf", "../../x.pdf",
                                       "a" * 300 + ".pdf", "évènement.PDF", "lettre.pdf.html", "x.svg"]),
                      st.text(min_size=1, max_size=20))
    return st.builds(lambda name, content: SimpleUploadedFile(name, content), names, contents)


@dataclass
class Endpoint:
    """A form of the app: where it is, who sends it, what its fields may hold."""

    name: str
    url: object  # world -> a strategy of URLs
    user: str | None  # the World attribute of who posts, None for a visitor
    fields: dict = field(default_factory=dict)
    method: str = "post"
    keep: bool = False  # keep what each example stored, so that examples add up (the cap)
