"""Hypothesis strategies for hostile input, and reading a response's error messages."""
from html.parser import HTMLParser

from hypothesis import strategies as st

HUGE = 200_000  # well under MAX_CONTENT_LENGTH: the form code must cope with it, not the upload limit
ERROR_CLASSES = {"invalid-feedback", "alert-danger", "text-danger", "alert-warning"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.sampled_from(["", " ", "\x00", "a\x00b", "'; DROP TABLE contacts; --", "<script>alert(1)</script>",
                     "%s%n{0}{{7*7}}", "../../etc/passwd", "-1", "0", "99999999999999999999999", "1e309",
                     "NaN", "true", "null", "[]", "{}", "2026-02-30", "25:61", "🙂" * 50, "ё" * 300,
                     "\u202e\u200b\ufeff", "x" * HUGE]),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
)


def form_data(field_names):
    """A form body: known fields (some left out, some repeated) plus unknown ones."""
    value = st.one_of(nasty_text, st.lists(nasty_text, min_size=2, max_size=3))
    known = st.fixed_dictionaries({}, optional={name: value for name in field_names})
    extra = st.dictionaries(st.text(min_size=1, max_size=12), value, max_size=2)
    return st.tuples(known, extra).map(lambda kv: {**kv[1], **kv[0]})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def json_bodies(field_names):
    known = st.fixed_dictionaries({}, optional={name: json_values for name in field_names})
    return st.one_of(known, json_values, st.binary(max_size=40))


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


class ErrorTexts(HTMLParser):
    """Texts of the elements a page shows errors in (field feedback, danger alerts, flashed errors)."""

    def __init__(self):
        super().__init__()
        self.depth, self.current, self.texts = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif ERROR_CLASSES & set((dict(attrs).get("class") or "").split()):
            self.depth, self.current = 1, []

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1
            if not self.depth:
                text = " ".join("".join(self.current).split())
                if text:
                    self.texts.append(text)

    def handle_data(self, data):
        if self.depth:
            self.current.append(data)


def error_texts(html: str) -> list[str]:
    parser = ErrorTexts()
    parser.feed(html)
    return parser.texts


class FieldNames(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names = set()

    def handle_starttag(self, tag, attrs):
        name = dict(attrs).get("name")
        if tag in ("input", "select", "textarea", "button") and name and name != "csrf_token":
            self.names.add(name)


def field_names(html: str) -> set[str]:
    parser = FieldNames()
    parser.feed(html)
    return parser.names
