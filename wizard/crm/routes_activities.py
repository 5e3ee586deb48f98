"""Activities pages: the list, the week view, and the form (times in the user's time zone)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wizard.crm import participants, services
from wizard.crm.blueprint import bp
from wizard.crm.routes_contacts import page_number
from wizard.crm.forms import ActivityForm, DeleteForm
from wizard.crm.services import NotFound, ValidationError
from wizard.crm.validation import valid_zone, zone_of
from wizard.form_choices import select_choices
from wizard.models.crm import ACTIVITY_STATUSES, ACTIVITY_TYPES

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def user_zone() -> str:
    return zone_of(current_user)


def owned_activity(activity_id):
    try:
        return services.get_activity(current_user.id, activity_id)
    except NotFound:
        abort(404)


@bp.route("/activities")
@login_required
def activities():
    status = request.args.get("status") if request.args.get("status") in ACTIVITY_STATUSES else None
    kind = request.args.get("type") if request.args.get("type") in ACTIVITY_TYPES else None
    page = services.list_activities(current_user.id, status=status, type=kind, page=page_number())
    return render_template("crm/activities.html", page=page, status=status, kind=kind, zone=user_zone(),
                           local_range=services.local_range)


@bp.route("/activities/week")
@login_required
def activities_week():
    zone = user_zone()
    try:
        day = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        day = datetime.now(ZoneInfo(zone)).date()
    if not FIRST_DAY <= day <= LAST_DAY:
        # Weeks near year 1 or 9999 overflow date arithmetic and time zone conversion: show the nearest one.
        day = min(max(day, FIRST_DAY), LAST_DAY)
        flash(_("The week view covers the years %(first)d to %(last)d; showing the nearest week.",
                first=FIRST_DAY.year, last=LAST_DAY.year), "warning")
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day = {d: [] for d in days}
    for activity in services.activities_between(current_user.id, days[0], days[-1], zone):
        first, last = services.local_range(activity, zone)
        first = first if isinstance(first, date) and not isinstance(first, datetime) else first.date()
        last = (last if isinstance(last, date) and not isinstance(last, datetime) else last.date()) if last else first
        for d in days:
            if first <= d <= last:
                by_day[d].append(activity)
    return render_template("crm/activities_week.html", days=days, by_day=by_day, zone=zone,
                           prev_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7),
                           today=datetime.now(ZoneInfo(zone)).date(), local_range=services.local_range)


def activity_form() -> ActivityForm:
    form = ActivityForm()
    form.participant_contacts.choices = select_choices(participants.invitable_contacts(current_user.id))
    return form


def fill_form(form, activity, zone):
    data = services.activity_to_input(activity)
    for name in ("title", "type", "status", "all_day", "location", "description", "show_in_calendar"):
        getattr(form, name).data = data[name]
    form.timezone.data = activity.timezone
    form.participant_emails.data = participants.participant_lines(activity)
    tz = ZoneInfo(activity.timezone if valid_zone(activity.timezone) else zone)
    if activity.all_day:
        form.start_date.data = activity.start_date.isoformat()
        form.end_date.data = activity.end_date.isoformat()
    else:
        form.start_at.data = activity.start_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
        form.end_at.data = activity.end_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if activity.end_at else ""


@bp.route("/activities/new", methods=["GET", "POST"])
@login_required
def activity_new():
    zone = user_zone()
    form = activity_form()
    if request.method == "GET":
        form.timezone.data = zone
        try:
            day = date.fromisoformat(request.args.get("date", ""))
        except ValueError:
            day = None
        if day:
            form.start_at.data = f"{day.isoformat()}T09:00"
            form.start_date.data = day.isoformat()
    general = []
    if form.validate_on_submit():
        try:
            activity = services.create_activity(current_user.id, form.to_input(), default_zone=zone)
        except ValidationError as error:
            general = form.apply_errors(error.as_text())
        else:
            flash(_("Activity “%(title)s” created.", title=activity.title), "success")
            return redirect(url_for("crm.activities"))
    return render_template("crm/activity_form.html", form=form, activity=None, general_errors=general,
                           zones=common_zones(zone))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def activity_edit(activity_id):
    zone = user_zone()
    activity = owned_activity(activity_id)
    form = activity_form()
    if request.method == "GET":
        fill_form(form, activity, zone)
    general = []
    if form.validate_on_submit():
        try:
            services.update_activity(current_user.id, activity.id,
                                     form.to_input(participants.linked_contacts(activity)))
        except ValidationError as error:
            general = form.apply_errors(error.as_text())
        else:
            flash(_("Activity saved."), "success")
            return redirect(url_for("crm.activities"))
    return render_template("crm/activity_form.html", form=form, activity=activity, general_errors=general,
                           zones=common_zones(zone), delete_form=DeleteForm())


@bp.route("/activities/<int:activity_id>/delete", methods=["POST"])
@login_required
def activity_delete(activity_id):
    activity = owned_activity(activity_id)
    if DeleteForm().validate_on_submit():
        services.delete_activity(current_user.id, activity.id)
        flash(_("Activity “%(title)s” deleted.", title=activity.title), "success")
    return redirect(url_for("crm.activities"))


def common_zones(current):
    return sorted(available_timezones() | {current, "UTC"})
