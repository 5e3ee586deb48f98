"""A failed login takes as long for an unknown account as for a real one; weak passwords are refused on every
form that sets one and by `syncwizard user create`."""
import statistics
import time

import pytest

from tests.hardening.conftest import FreshClient
from tests.users.test_user_admin import invoke
from wizard.auth.passwords import problems

ROUNDS = 12


def timed_login(client, email):
    start = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": "not the password at all"})
    assert response.status_code == 200
    return time.perf_counter() - start


def test_unknown_and_known_accounts_take_the_same_time(app, make_user):
    """Interleaved, so machine load hits both alike; the medians must differ by less than the noise, measured as
    the spread (interquartile range) of the same request repeated, with a floor of 15 % of the median (two
    cores shared with other test runs). Before the dummy hash: ~480 ms against ~38 ms."""
    make_user("real@example.com")
    make_user("gone@example.com", active=False)
    client = FreshClient(app, app.response_class)
    timed_login(client, "warm-up@example.com")
    samples = {"real@example.com": [], "ghost@example.com": [], "gone@example.com": []}
    for _ in range(ROUNDS):
        for email, times in samples.items():
            times.append(timed_login(client, email))
    medians = {email: statistics.median(times) for email, times in samples.items()}
    real = samples["real@example.com"]
    quartiles = statistics.quantiles(real, n=4)
    noise = max(quartiles[2] - quartiles[0], 0.15 * medians["real@example.com"])
    print("login medians (ms):", {k: round(v * 1000, 1) for k, v in medians.items()},
          "noise (ms):", round(noise * 1000, 1))
    for email in ("ghost@example.com", "gone@example.com"):
        assert abs(medians[email] - medians["real@example.com"]) < noise, (medians, noise)


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password123", "qwertyuiop", "1234567890", "iloveyou2024",
                                      "short", "zaq1xsw2cde3", "Password2026!"])
def test_weak_passwords_are_refused(password):
    assert problems(password) != []


@pytest.mark.parametrize("password", ["correct horse battery", "violet tram at dawn", "S3cure-Passw0rd!x"])
def test_good_passwords_pass(password):
    assert problems(password) == []


def test_the_users_own_e_mail_is_a_weak_password():
    assert problems("ivan.petrov2026", ["ivan.petrov@example.com"]) != []


def test_the_first_administrator_and_the_cli_refuse_weak_passwords(app):
    result = invoke(app, ["user", "create", "bob@example.com"])
    assert result.exit_code != 0
    from wizard.auth import first_admin

    with app.test_request_context():
        token = first_admin.issue_token()
    client = FreshClient(app, app.response_class)
    page = client.post(f"/setup/first-admin/{token}", data={"email": "boss@example.com", "password": "aaaaaaaaaa",
                                                            "confirm": "aaaaaaaaaa"})
    assert page.status_code == 200 and "too common" in page.get_data(as_text=True)
