"""Google's registration rules: the checker, `syncwizard check-uri --json` in-process and as a real process."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.setup.address_cases import CASES
from wizard.google import rules as google_rules
from wizard.cli.setup import check_uri
from wizard.google.rules import check_address, check_origin, check_redirect_uri, classify_host, derive

IDS = [case[0] for case in CASES]


def test_table_is_large_enough_and_covers_every_rule():
    assert len(CASES) >= 40
    exercised = set().union(*(codes for _, _, codes in CASES))
    origin_only = {"origin_has_path", "origin_trailing_slash", "origin_has_query", "unparseable", "no_host"}
    assert google_rules.rule_codes() - origin_only <= exercised


@pytest.mark.parametrize("rule,address,expected", CASES, ids=IDS)
def test_checker(rule, address, expected):
    verdict = check_address(address)
    assert {p.code for p in verdict.problems} == expected, rule
    assert verdict.ok is (not expected)
    for problem in verdict.problems:
        assert problem.google_message.startswith(("Invalid Redirect: ", "Invalid Origin: "))
        assert problem.message and problem.message != f"google_rules.{problem.code}"
        assert problem.fix and problem.fix != f"google_rules.{problem.code}.fix"


@pytest.mark.parametrize("rule,address,expected", CASES, ids=IDS)
def test_check_uri_json(rule, address, expected):
    result = CliRunner().invoke(check_uri, [address, "--json"])
    data = json.loads(result.output)
    assert set(data) == {"ok", "origin", "redirect_uri", "problems"}
    assert {p["code"] for p in data["problems"]} == expected, rule
    assert all(set(p) == {"code", "message"} for p in data["problems"])
    assert data["ok"] is (not expected)
    assert result.exit_code == (0 if not expected else 1)


def test_check_uri_real_process():
    exe = Path(sys.executable).with_name("syncwizard")
    done = subprocess.run([str(exe), "check-uri", "--json", "10.0.0.5:8080"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["origin"] == "https://10.0.0.5:8080"
    assert data["redirect_uri"] == "https://10.0.0.5:8080/oauth/google/callback"
    assert [p["code"] for p in data["problems"]] == ["raw_ip_host"]
    ok = subprocess.run([str(exe), "check-uri", "--json", "https://crm.example.com"], capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    usage = subprocess.run([str(exe), "check-uri"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2


def test_check_uri_text_output_names_the_fix():
    result = CliRunner().invoke(check_uri, ["crm.local"])
    assert result.exit_code == 1
    assert "tld_not_public_suffix" in result.output
    assert "must end with a public top-level domain" in result.output
    assert "crm.intranet.example.com" in result.output


def test_check_uri_legacy_callback_form():
    result = CliRunner().invoke(check_uri, ["https://crm.example.com", "--callback", "legacy", "--json"])
    assert json.loads(result.output)["redirect_uri"] == (
        "https://crm.example.com/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff")
    assert CliRunner().invoke(check_uri, ["x", "--callback", "odd"]).exit_code == 2


@pytest.mark.parametrize("host,kind", [
    ("crm.example.com", "public_domain"), ("localhost", "loopback"), ("127.0.0.1", "loopback"),
    ("[::1]", "loopback"), ("10.1.2.3", "private_ip"), ("192.168.0.9", "private_ip"),
    ("8.8.8.8", "public_ip"), ("crm.local", "intranet_name"), ("crm", "intranet_name"),
    ("app.localhost", "localhost_subdomain"), ("com", "public_suffix"), ("", "invalid"), ("a b", "invalid"),
])
def test_classify_host(host, kind):
    assert classify_host(host) == kind


@pytest.mark.parametrize("origin,codes", [
    ("https://crm.example.com", set()),
    ("https://crm.example.com:8443", set()),
    ("https://crm.example.com/", {"origin_trailing_slash"}),
    ("https://crm.example.com/crm", {"origin_has_path"}),
    ("https://crm.example.com?x=1", {"origin_has_query"}),
    ("https://crm.example.com#x", {"fragment"}),
    ("http://localhost:5000", set()),
    ("localhost", {"unparseable"}),
    ("http://10.0.0.5:8080", {"raw_ip_host", "scheme_not_https"}),
])
def test_check_origin(origin, codes):
    problems = check_origin(origin)
    assert {p.code for p in problems} == codes
    assert all(p.google_message.startswith("Invalid Origin: ") for p in problems)


def test_origin_message_is_google_wording():
    (problem,) = check_origin("https://crm.example.com/")
    assert problem.google_message == 'Invalid Origin: URIs must not contain a path or end with "/".'
    (problem,) = check_redirect_uri("https://192.168.1.45:5678/cb")
    assert problem.google_message == (
        "Invalid Redirect: must end with a public top-level domain (such as .com or .org).")


@pytest.mark.parametrize("address,origin,redirect", [
    ("https://crm.example.com/", "https://crm.example.com", "https://crm.example.com/oauth/google/callback"),
    ("https://crm.example.com:443", "https://crm.example.com", "https://crm.example.com/oauth/google/callback"),
    ("http://localhost:80", "http://localhost", "http://localhost/oauth/google/callback"),
    ("  crm.example.com  ", "https://crm.example.com", "https://crm.example.com/oauth/google/callback"),
    ("https://crm.example.com/x/cb", "https://crm.example.com", "https://crm.example.com/x/cb"),
    ("", None, None),
])
def test_derive(address, origin, redirect):
    assert derive(address) == (origin, redirect)


def test_russian_explanations(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        (problem,) = check_redirect_uri("https://crm.local/cb")
        assert "домен" in problem.message.lower()
        assert problem.google_message.startswith("Invalid Redirect")
