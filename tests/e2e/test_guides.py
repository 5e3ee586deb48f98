"""The guides show only pictures the browser walk takes, and each guide exists in both languages with the same
pictures (the Russian guide shows the Russian screenshots)."""
import re

import pytest

from config import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
IMAGE = re.compile(r"!\[[^\]]*\]\((screenshots/[^)]+)\)")
# The walks that take the guides' pictures: the documented procedure, and the domain-wide delegation walk.
STEPS_FILES = (PROJECT_ROOT / "tests" / "e2e" / "test_documented_procedure.py",
               PROJECT_ROOT / "tests" / "workspace" / "test_browser_walk.py")


def images(guide):
    return IMAGE.findall((DOCS / guide).read_text(encoding="utf-8"))


@pytest.mark.parametrize("audience", ["admin", "user"])
def test_both_languages_show_the_same_steps(audience):
    english, russian = images(f"guide-{audience}.en.md"), images(f"guide-{audience}.ru.md")
    assert english, "a guide without pictures"
    assert [p.replace("-en.png", "") for p in english] == [p.replace("-ru.png", "") for p in russian]
    assert all(p.endswith("-en.png") for p in english) and all(p.endswith("-ru.png") for p in russian)


@pytest.mark.parametrize("guide", ["guide-admin.en.md", "guide-admin.ru.md", "guide-user.en.md",
                                   "guide-user.ru.md"])
def test_every_picture_is_committed_and_taken_by_the_walk(guide):
    walk = "".join(f.read_text(encoding="utf-8") for f in STEPS_FILES)
    for path in images(guide):
        assert (DOCS / path).is_file(), path
        step = re.sub(r"-(en|ru)\.png$", "", path.split("/", 1)[1])
        assert f'shoot("{step}"' in walk, step
