"""The password policy, and the equal work a login does whether or not the account exists.

Policy: at least MIN_PASSWORD characters, at most MAX_PASSWORD, and not guessable by zxcvbn (Dropbox's
estimator, the `zxcvbn` package: offline, with its own lists of the 30,000 most common passwords, English words
and names, plus keyboard patterns, repeats, sequences and dates). It is chosen over a bare list because it also
catches "aaaaaaaaaa", "qwertyuiop" or "password2024", which a list of exact passwords misses, and it needs no
network (installations sit on intranets). A score below MIN_SCORE (3: "safely unguessable" against an offline
attack on a slow hash) is refused. The user's e-mail and name count as known words.
"""
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_PASSWORD = 10
MAX_PASSWORD = 128  # zxcvbn's matching grows with the length; nobody types more
MIN_SCORE = 3


def problems(password: str, known_words=()) -> list:
    """Translatable reasons to refuse `password` ([] when it is acceptable)."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return [_l("At least %(num)d characters.", num=MIN_PASSWORD)]
    if len(password) > MAX_PASSWORD:
        return [_l("At most %(num)d characters.", num=MAX_PASSWORD)]
    words = [w for word in known_words if word for w in _pieces(word)]
    if zxcvbn(password, user_inputs=words)["score"] < MIN_SCORE:
        return [_l("This password is too common or too easy to guess. Use a few unrelated words or a longer "
                   "phrase.")]
    return []


def _pieces(word: str) -> list[str]:
    """An e-mail or a name and its parts: "ivan.petrov@example.com" gives "ivan.petrov", "ivan", "petrov"..."""
    local = word.split("@")[0]
    return [word, local, *word.replace("@", " ").replace(".", " ").replace("_", " ").replace("-", " ").split()]


class StrongPassword:
    """WTForms validator; `known` names form fields (e.g. "email") whose values count as known words, and
    `user` may give a function returning more (the logged-in user's e-mail and name)."""

    def __init__(self, known=(), user=None):
        self.known, self.user = known, user

    def __call__(self, form, field):
        words = [getattr(form, name).data or "" for name in self.known if hasattr(form, name)]
        if self.user is not None:
            words += list(self.user())
        found = problems(field.data or "", words)
        if found:
            raise ValidationError(str(found[0]))


# A scrypt hash of a throwaway phrase, with Werkzeug's default cost (the cost every stored hash has), written
# out here so no start-up pays for making it.
DUMMY_HASH = ("scrypt:32768:8:1$QQ0cWqalCwMWNla7$e7d8151be7ff13446773e13e071eae82916b4bf31c3cbbc396bb39519282a0f0"
              "9b92cb66a29fb11df6d9ec5e6481880d3974c9168d139cc8315e43875475b219")


def dummy_check(password: str) -> bool:
    """Hash the password against a made-up hash, as long as a real check takes; always False. A login for an
    unknown or disabled account calls this, so its answer takes as long as a wrong password's."""
    check_password_hash(DUMMY_HASH, password or "")
    return False
