"""User administration as administrators use it and as others try to abuse it: invitations and reset links
work once and expire, the last administrator stays, every action is in the audit log, the CLI does the same."""
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from tests.accounts.helpers import add_account
from tests.hardening.conftest import FreshClient
from tests.users.test_sessions_end import PASSWORD, log_in, opens_contacts
from wizard.cli import cli
from wizard.jobs.schedule import account_is_runnable
from wizard.extensions import db
from wizard.models.users import User, UserAudit
from wizard.redis import get_redis
from wizard.users import links, services


def actions(user):
    return [a.action for a in db.session.scalars(select(UserAudit).where(UserAudit.target_id == user.id)
                                                 .order_by(UserAudit.id))]


def link_from(page: str) -> str:
    start = page.index('id="one-time-link-value">') + len('id="one-time-link-value">')
    return page[start:page.index("</code>", start)].replace("http://localhost", "")


def test_list_and_search(app, make_user):
    admin = make_user("admin@example.com", role="admin")
    make_user("anna@example.com", name="Anna Petrova")
    make_user("boris@example.com")
    browser = log_in(app, admin)
    page = browser.get("/admin/users?q=petrova").get_data(as_text=True)
    assert "anna@example.com" in page and "boris@example.com" not in page
    assert "boris@example.com" in browser.get("/admin/users").get_data(as_text=True)
    assert browser.get("/admin/users?q=%25").status_code == 200  # LIKE wildcards are plain text


def test_invitation_link_sets_a_password_once(app, make_user):
    admin = make_user("admin@example.com", role="admin")
    browser = log_in(app, admin)
    page = browser.post("/admin/users/new", data={"email": "New@Example.com", "name": "Nina", "role": "user"})
    link = link_from(page.get_data(as_text=True))
    newcomer = services.find("new@example.com")
    assert newcomer.role == "user" and actions(newcomer) == ["created"]
    visitor = FreshClient(app, app.response_class)
    weak = visitor.post(link, data={"password": "password123", "confirm": "password123"})
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    done = visitor.post(link, data={"password": "violet tram at dawn", "confirm": "violet tram at dawn"})
    assert done.status_code == 302 and opens_contacts(visitor)
    assert FreshClient(app, app.response_class).get(link).status_code == 404  # used up
    db.session.refresh(newcomer)
    assert newcomer.check_password("violet tram at dawn")
    assert actions(newcomer) == ["created", "password_set"]


def test_the_link_is_not_stored_and_expires(app, make_user):
    user = make_user()
    token = links.issue(user.id, "reset")
    stored = [key.decode() for key in get_redis().keys("syncwizard:user-link:*")]
    assert stored and not any(token in key for key in stored)
    ttl = get_redis().ttl(f"{links.PREFIX}{links._digest(token)}")
    assert 0 < ttl <= app.config["USER_LINK_TTL_HOURS"] * 3600
    newer = links.issue(user.id, "reset")
    assert links.peek(token) is None and links.peek(newer) == (user.id, "reset")


def test_reset_link_ends_old_sessions_and_is_audited(app, make_user):
    admin, user = make_user("admin@example.com", role="admin"), make_user()
    old_browser = log_in(app, user)
    page = log_in(app, admin).post(f"/admin/users/{user.id}/reset-link").get_data(as_text=True)
    link = link_from(page)
    assert link.startswith("/account/link/")
    visitor = FreshClient(app, app.response_class)
    assert visitor.post(link, data={"password": "quiet orange harbour", "confirm": "quiet orange harbour"}) \
        .status_code == 302
    assert not opens_contacts(old_browser)
    assert actions(user) == ["reset_link", "password_set"]


def test_the_last_administrator_can_be_neither_demoted_nor_disabled(app, make_user):
    admin = make_user("admin@example.com", role="admin")
    browser = log_in(app, admin)
    for url, data in ((f"/admin/users/{admin.id}/role", {"role": "user"}), (f"/admin/users/{admin.id}/disable", {})):
        response = browser.post(url, data=data, follow_redirects=True)
        assert "last administrator" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active and actions(admin) == []
    second = make_user("second@example.com", role="admin")
    browser.post(f"/admin/users/{second.id}/disable")
    assert browser.post(f"/admin/users/{admin.id}/role", data={"role": "user"}, follow_redirects=True) \
        .status_code == 200
    db.session.refresh(admin)
    assert admin.role == "admin"  # the other administrator is disabled: this one is still the last


def test_role_change_and_disable_are_audited(app, make_user):
    admin, user = make_user("admin@example.com", role="admin"), make_user()
    browser = log_in(app, admin)
    browser.post(f"/admin/users/{user.id}/role", data={"role": "admin"})
    browser.post(f"/admin/users/{user.id}/disable")
    browser.post(f"/admin/users/{user.id}/enable")
    assert actions(user) == ["role", "disabled", "enabled"]
    entry = db.session.scalar(select(UserAudit).where(UserAudit.action == "role"))
    assert entry.actor_label == "admin@example.com" and entry.detail == "admin"
    page = browser.get(f"/admin/users/{user.id}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert 'id="audit-table"' in page


def test_bad_role_changes_nothing(app, make_user):
    admin, user = make_user("admin@example.com", role="admin"), make_user()
    log_in(app, admin).post(f"/admin/users/{user.id}/role", data={"role": "root"})
    db.session.refresh(user)
    assert user.role == "user" and actions(user) == []


def test_disabled_users_google_accounts_stop_syncing_and_stay(app, make_user):
    admin, user = make_user("admin@example.com", role="admin"), make_user()
    account = add_account(user, "user@gmail.com")
    assert account_is_runnable(account)
    services.disable(admin, user)
    db.session.refresh(account)
    assert not account_is_runnable(account) and account.refresh_token == "1//test-refresh"
    services.enable(admin, user)
    assert account_is_runnable(account)


def test_a_disabled_users_run_is_skipped_without_calling_google(app, make_user):
    """No emulator runs here: a run that went on would fail on Google, not end as skipped."""
    from wizard.engine import run_sync
    from wizard.models.sync import RunStatus

    admin, user = make_user("admin@example.com", role="admin"), make_user()
    account = add_account(user, "user@gmail.com")
    services.disable(admin, user)
    run = run_sync(account.id, "contacts")
    assert (run.status, run.outcome_code) == (RunStatus.SKIPPED, "sync.run.owner_disabled")
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert "отключён" in run.outcome_text()


def test_a_plain_user_cannot_reach_the_admin_pages(app, make_user):
    user = make_user()
    browser = log_in(app, user)
    assert browser.get("/admin/users").status_code == 403
    assert browser.post(f"/admin/users/{user.id}/role", data={"role": "admin"}).status_code == 403
    db.session.refresh(user)
    assert user.role == "user"


def invoke(app, args):
    return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: app))


def test_cli_user_commands(app, make_user):
    make_user("admin@example.com", role="admin")
    user = make_user("ann@example.com", name="Ann")
    listed = invoke(app, ["user", "list"])
    assert listed.exit_code == 0 and "ann@example.com\tuser\tactive\tAnn" in listed.output
    assert invoke(app, ["user", "role", "ann@example.com", "admin"]).exit_code == 0
    assert invoke(app, ["user", "disable", "ann@example.com"]).exit_code == 0
    db.session.refresh(user)
    assert user.role == "admin" and not user.active
    assert invoke(app, ["user", "enable", "ann@example.com"]).exit_code == 0
    link = invoke(app, ["user", "reset-link", "ann@example.com"])
    assert link.exit_code == 0 and "/account/link/" in link.output
    assert actions(user) == ["role", "disabled", "enabled", "reset_link"]
    assert db.session.scalar(select(UserAudit).where(UserAudit.action == "role")).actor_label == "command line"


def test_cli_refuses_to_remove_the_last_administrator(app, make_user):
    make_user("admin@example.com", role="admin")
    for args in (["user", "disable", "admin@example.com"], ["user", "role", "admin@example.com", "user"]):
        result = invoke(app, args)
        assert result.exit_code == 1 and "last administrator" in result.output
    assert invoke(app, ["user", "disable", "ghost@example.com"]).exit_code == 1
    assert db.session.scalar(select(User).where(User.email == "admin@example.com")).active
