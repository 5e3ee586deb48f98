"""Sessions that really end, tried as an attacker would: cookies copied before a logout, a password change, a
disabled account or "log out everywhere" open nothing afterwards; remember-me tokens are unique per login."""
from datetime import timedelta

from sqlalchemy import select

from tests.hardening.conftest import FreshClient
from wizard.api.tokens import create_token
from wizard.auth.sessions import utcnow
from wizard.extensions import db
from wizard.models.users import UserSession
from wizard.users import services

PASSWORD = "correct horse battery"


def fresh_client(app):
    """Another browser (no shared Flask-Login cache: each request loads its user, as in production)."""
    return FreshClient(app, app.response_class, use_cookies=True)


def log_in(app, user, remember=False):
    client = fresh_client(app)
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def stolen_copy(app, victim, names=("session", "remember_token")):
    """A second browser holding copies of the victim's cookies (as a thief or a shared computer would)."""
    thief = fresh_client(app)
    for name in names:
        cookie = victim.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def opens_contacts(client) -> bool:
    response = client.get("/contacts")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def test_copied_session_cookie_gets_the_login_page_after_logout(app, make_user):
    user = make_user()
    victim = log_in(app, user)
    thief = stolen_copy(app, victim, ["session"])
    assert opens_contacts(thief)
    victim.post("/logout")
    assert not opens_contacts(thief)
    assert not opens_contacts(victim)


def test_copied_remember_cookie_alone_opens_nothing_after_logout(app, make_user):
    user = make_user()
    victim = log_in(app, user, remember=True)
    thief = stolen_copy(app, victim, ["remember_token"])
    assert opens_contacts(thief)  # the remember cookie works on its own while the login lives
    victim.post("/logout")
    assert not opens_contacts(stolen_copy(app, victim, ["remember_token"]))
    thief_again = fresh_client(app)
    thief_again.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not opens_contacts(thief_again)


def test_two_logins_get_different_remember_tokens(app, make_user):
    user = make_user()
    first = log_in(app, user, remember=True).get_cookie("remember_token").value
    second = log_in(app, user, remember=True).get_cookie("remember_token").value
    assert first != second


def test_a_user_id_alone_in_the_session_opens_nothing(app, make_user):
    """Cookies signed before server-side sessions (or forged with a leaked key) carry a bare id."""
    user = make_user()
    client = fresh_client(app)
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user.id), True
    assert not opens_contacts(client)


def test_password_change_ends_every_other_session(app, make_user):
    user = make_user()
    laptop, phone = log_in(app, user), log_in(app, user, remember=True)
    thief = stolen_copy(app, phone)
    response = laptop.post("/profile/password", data={"current": PASSWORD, "password": "a brand new passphrase",
                                                      "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert opens_contacts(laptop)  # the browser that changed it stays in
    assert not opens_contacts(phone) and not opens_contacts(thief)


def test_password_change_needs_the_current_password(app, make_user):
    user = make_user()
    browser, other = log_in(app, user), log_in(app, user)
    page = browser.post("/profile/password", data={"current": "a guess", "password": "a brand new passphrase",
                                                   "confirm": "a brand new passphrase"})
    assert page.status_code == 200 and "The current password is wrong." in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD) and opens_contacts(other)


def test_disabled_user_is_out_at_once_and_the_token_gets_401(app, make_user):
    admin, user = make_user("admin@example.com", role="admin"), make_user()
    browser = log_in(app, user, remember=True)
    thief = stolen_copy(app, browser)
    _row, token = create_token(user.id, "script")
    api = fresh_client(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/contacts", headers=headers).status_code == 200
    services.disable(admin, user)
    assert not opens_contacts(browser) and not opens_contacts(thief)
    assert api.get("/api/v1/contacts", headers=headers).status_code == 401
    assert log_in_fails(app, user)
    services.enable(admin, user)
    assert api.get("/api/v1/contacts", headers=headers).status_code == 200  # nothing was deleted
    assert not opens_contacts(browser)  # but ended sessions stay ended


def log_in_fails(app, user) -> bool:
    response = fresh_client(app).post("/login", data={"email": user.email, "password": PASSWORD})
    return response.status_code == 200


def test_log_out_everywhere(app, make_user):
    user = make_user()
    one, two = log_in(app, user), log_in(app, user, remember=True)
    copy = stolen_copy(app, two)
    assert one.post("/profile/sessions/end-all").status_code == 302
    assert not any(opens_contacts(c) for c in (one, two, copy))


def test_ending_one_session_from_the_sessions_page(app, make_user):
    user = make_user()
    here, there = log_in(app, user), log_in(app, user)
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id)).all()
    page = here.get("/profile/sessions").get_data(as_text=True)
    assert f'data-session="{rows[1].id}"' in page
    assert here.post(f"/profile/sessions/{rows[1].id}/end").status_code == 302
    assert opens_contacts(here) and not opens_contacts(there)


def test_nobody_ends_another_users_session(app, make_user):
    victim, attacker = make_user("victim@example.com"), make_user("attacker@example.com")
    victim_browser = log_in(app, victim)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == victim.id))
    assert log_in(app, attacker).post(f"/profile/sessions/{row.id}/end").status_code == 404
    assert opens_contacts(victim_browser)


def test_idle_and_absolute_lifetimes(app, make_user):
    user = make_user()
    idle, old = log_in(app, user), log_in(app, user)
    first, second = db.session.scalars(select(UserSession).order_by(UserSession.id)).all()
    first.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    second.created_at = utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"] + 1)
    db.session.commit()
    assert not opens_contacts(idle) and not opens_contacts(old)


def test_remembered_login_survives_a_break_but_not_its_lifetime(app, make_user):
    user = make_user()
    browser = log_in(app, user, remember=True)
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert opens_contacts(browser)
    row.created_at = utcnow() - timedelta(days=app.config["REMEMBER_DAYS"] + 1)
    db.session.commit()
    assert not opens_contacts(browser)


def test_the_database_holds_no_usable_session_key(app, make_user):
    user = make_user()
    browser = log_in(app, user, remember=True)
    remembered = browser.get_cookie("remember_token").value
    key = remembered.split("|")[0].split(":")[1]
    row = db.session.scalar(select(UserSession))
    assert key not in row.key_hash and len(row.key_hash) == 64


def test_session_content_and_csrf_token_are_new_after_login(app, make_user):
    user = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    client = fresh_client(app)
    client.get("/login")
    with client.session_transaction() as session:
        before = session["csrf_token"]
        session["planted"] = "by an attacker"
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context():
        from flask import session as request_session

        request_session["csrf_token"] = before
        token = generate_csrf()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("csrf_token") != before
