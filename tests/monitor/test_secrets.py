"""Nothing secret leaves through the jobs page, its JSON, /metrics or the CLI: a crashed job's error shows only
its last line, through the log secret filter."""
from click.testing import CliRunner
from flask.cli import ScriptInfo

from tests.monitor.jobs import SECRET_ACCESS, SECRET_REFRESH
from wizard.monitor.queues import exception_summary

SECRETS = (SECRET_ACCESS, SECRET_REFRESH, "PLANTED")


def assert_clean(text):
    for secret in SECRETS:
        assert secret not in text


def test_page_and_json_mask_the_planted_tokens(as_admin, failed_sync):
    html = as_admin.get("/admin/jobs").get_data(as_text=True)
    assert "access_token=***" in html and "refresh_token=***" in html and "Bearer ***" in html
    assert_clean(html)
    assert "Traceback" not in html
    data = as_admin.get("/admin/jobs.json").get_data(as_text=True)
    assert "access_token=***" in data
    assert_clean(data)


def test_cli_masks_them_too(app, failed_sync):
    from wizard.cli import cli

    result = CliRunner().invoke(cli, ["jobs", "failed"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert failed_sync.job_id in result.output and "refresh_token=***" in result.output
    assert_clean(result.output)
    listing = CliRunner().invoke(cli, ["jobs", "list", "--json"], obj=ScriptInfo(create_app=lambda: app))
    assert listing.exit_code == 0 and "refresh_token=***" in listing.output
    assert_clean(listing.output)


def test_only_the_last_line_of_a_traceback_is_kept():
    traceback = ('Traceback (most recent call last):\n  File "x.py", line 3, in f\n'
                 '    client_secret = "GOCSPX-abcdefSECRET"\n'
                 'ValueError: token refused for ya29.AbCdEfSECRET\n\n')
    assert exception_summary(traceback) == "ValueError: token refused for ya29.***"
    assert exception_summary(None) == "" and exception_summary("") == ""
    assert len(exception_summary("E: " + "x" * 5000)) == 300
