"""Every environment variable the code reads is in docs/deployment.md's table, and every variable a document
names there or in the README's production table is one the code reads (issue #18: SESSION_COOKIE_SECURE was
read by config.py but documented nowhere)."""
import ast
import re

from config import GOOGLE_ENDPOINTS, PROJECT_ROOT

ENV_READERS = {"env", "env_int", "env_bool", "env_optional_int"}
# Read with os.environ outside config.py: the engine's crash points (tests and the soak only).
OTHER_READS = re.compile(r"""os\.environ\.get\(\s*(?:"([A-Z_]+)"|([A-Z_]+))""")


def config_variables() -> set[str]:
    """Names config.py passes to its env readers, plus the Google endpoints (read by name in a loop)."""
    tree = ast.parse((PROJECT_ROOT / "config.py").read_text())
    names = {node.args[0].value for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ENV_READERS
             and node.args and isinstance(node.args[0], ast.Constant)}
    return names | set(GOOGLE_ENDPOINTS)


def code_variables() -> set[str]:
    names = config_variables()
    constants = {}
    for path in sorted((PROJECT_ROOT / "wizard").rglob("*.py")):
        if "emulator" in path.parts:  # the emulator's own command line (docs/emulator.md)
            continue
        text = path.read_text()
        constants.update(re.findall(r'^([A-Z_]+) = "([A-Z_]+)"$', text, re.M))
        for literal, constant in OTHER_READS.findall(text):
            names.add(literal or constants.get(constant, constant))
    return names


def table_variables(markdown: str, heading: str) -> set[str]:
    """Backquoted upper-case names in the first column of the tables under `heading` (up to the next ##)."""
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first))
    return names


def test_the_code_reads_what_the_function_finds():
    found = code_variables()
    assert {"SESSION_COOKIE_SECURE", "DATABASE_URL", "GOOGLE_TOKEN_URL", "SYNCWIZARD_INSTANCE",
            "SYNCWIZARD_CRASH_AT"} <= found


def test_every_variable_the_code_reads_is_in_the_deployment_table():
    documented = table_variables((PROJECT_ROOT / "docs" / "deployment.md").read_text(), "## Environment")
    assert sorted(code_variables() - documented) == []
    assert sorted(documented - code_variables()) == []


def test_the_readme_names_only_real_variables_and_the_cookie_setting():
    readme = (PROJECT_ROOT / "README.md").read_text()
    documented = table_variables(readme, "## Production")
    assert "SESSION_COOKIE_SECURE" in documented
    assert sorted(documented - code_variables()) == []
