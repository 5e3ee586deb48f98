"""The jobs page and its actions are for administrators only."""
import pytest

URLS = [("GET", "/admin/jobs"), ("GET", "/admin/jobs.json"), ("POST", "/admin/jobs/requeue"),
        ("POST", "/admin/jobs/delete"), ("POST", "/admin/jobs/retry-all")]


@pytest.mark.parametrize("method,url", URLS)
def test_anonymous_visitors_go_to_the_login_page(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method,url", URLS)
def test_users_are_refused(client, make_user, login, failed_sync, method, url):
    from rq.registry import FailedJobRegistry

    from wizard.redis import get_redis

    login(make_user(email="plain@example.com"))
    response = client.open(url, method=method, data={"job_id": failed_sync.job_id})
    assert response.status_code == 403
    # A refused action changed nothing: the failed job is still there.
    assert FailedJobRegistry("sync", connection=get_redis()).get_job_ids() == [failed_sync.job_id]


def test_the_admin_menu_links_the_jobs_page(as_admin, client, make_user, login):
    assert 'href="/admin/jobs"' in as_admin.get("/").get_data(as_text=True)
    client.post("/logout")
    login(make_user(email="plain@example.com"))
    assert 'href="/admin/jobs"' not in client.get("/").get_data(as_text=True)
