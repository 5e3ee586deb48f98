"""/admin/jobs: the jobs page, its JSON twin, and the actions on failed jobs (administrators only)."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from wizard.auth import admin_required
from wizard.monitor import actions, snapshot
from wizard.monitor.blueprint import bp
from wizard.monitor.forms import AllJobsForm, JobForm
from wizard.monitor.runs import OUTCOMES


def _back():
    return redirect(url_for("monitor.jobs"))


@bp.get("/admin/jobs")
@admin_required
def jobs():
    return render_template("monitor/jobs.html", s=snapshot.take(), form=JobForm(), all_form=AllJobsForm(),
                           outcomes=OUTCOMES, refresh_ms=_refresh_seconds() * 1000)


def _refresh_seconds() -> int:
    """Every 10 s by default; `?refresh=N` (2 to 300) for a closer or a calmer look."""
    value = request.args.get("refresh", "")
    return min(300, max(2, int(value))) if value.isdigit() else 10


@bp.get("/admin/jobs.json")
@admin_required
def jobs_json():
    return jsonify(snapshot.take().to_json())


def _job_action(action, done_message):
    form = JobForm()
    if not form.validate_on_submit():
        flash(_("The request was not valid. Reload the page and try again."), "error")
        return _back()
    try:
        action(form.job_id.data)
        flash(done_message, "success")
    except actions.JobGone:
        flash(_("This job is no longer in the failed jobs (it expired or was already handled)."), "warning")
    return _back()


@bp.post("/admin/jobs/requeue")
@admin_required
def requeue():
    return _job_action(actions.requeue, _("The job is queued again."))


@bp.post("/admin/jobs/delete")
@admin_required
def delete():
    return _job_action(actions.delete, _("The failed job is deleted."))


@bp.post("/admin/jobs/retry-all")
@admin_required
def retry_all():
    if not AllJobsForm().validate_on_submit():
        flash(_("The request was not valid. Reload the page and try again."), "error")
        return _back()
    done, _gone = actions.requeue_all()
    if done:
        flash(ngettext("%(num)d failed job is queued again.", "%(num)d failed jobs are queued again.", done),
              "success")
    else:
        flash(_("There are no failed jobs."), "info")
    return _back()
