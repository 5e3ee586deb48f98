"""System settings pages (/admin/settings) and the setup wizard (/admin/setup): form in, service, template."""
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from wizard.auth.decorators import admin_required
from wizard.google.rules import CALLBACK_FORMS, LEGACY_CALLBACK, check_address
from wizard.messages import Message
from wizard.settings import registry
from wizard.settings import values as services
from wizard.settings.address import STRUCTURAL, address_from_request
from wizard.setup import client_file, credentials, forms, google_errors, steps, verify
from wizard.setup import progress as wizard_state
from wizard.setup.blueprint import bp

# --- system settings --------------------------------------------------------------------------------------

@bp.get("/admin/settings")
@admin_required
def settings_index():
    services.ensure_settings()
    query = request.args.get("q", "")
    rows = [(d, services.listed_value(d.code)) for d in services.search_settings(query)]
    return render_template("setup/settings_index.html", rows=rows, query=query, type_names=registry.TYPE_NAMES,
                           refused=services.refused_seeds())


@bp.route("/admin/settings/<code>", methods=["GET", "POST"])
@admin_required
def setting_card(code):
    defn = registry.BY_CODE.get(code) or abort(404)
    form = forms.setting_form(defn)
    if request.method == "GET" and not defn.secret:
        form.value.data = services.display_value(code)
    if form.validate_on_submit():
        if defn.secret and not form.value.data:
            flash(_("The stored value was kept."), "info")
        else:
            services.set_setting(code, form.value.data, current_user)
            flash(_("Saved."), "success")
        return redirect(url_for("setup.setting_card", code=code))
    return render_template("setup/setting_card.html", defn=defn, form=form, is_set=services.is_set(code),
                           audit=services.audit_entries(code, limit=10), type_names=registry.TYPE_NAMES)


# --- the wizard -------------------------------------------------------------------------------------------

@bp.get("/admin/setup")
@admin_required
def start():
    return redirect(url_for("setup.step", key=wizard_state.load().step))


@bp.route("/admin/setup/<key>", methods=["GET", "POST"])
@admin_required
def step(key):
    if key not in steps.KEYS:
        abort(404)
    return STEP_VIEWS[key]()


def _render(key, **context):
    state = wizard_state.load()
    back, forward = steps.neighbours(key)
    return render_template(f"setup/step_{key}.html", steps=steps.STEPS, current=key, state=state,
                           back=back, forward=forward, position=steps.index(key) + 1,
                           address_ok=_stored_address_ok(), **context)


def _stored_address_ok() -> bool:
    """Steps 1 and 2 are ticked only while the saved address gives values Google accepts."""
    address = services.site_address()
    return bool(address) and check_address(address, CALLBACK_FORMS[services.callback_form()]).ok


def _done(key):
    _, forward = steps.neighbours(key)
    wizard_state.complete(key, forward)
    return redirect(url_for("setup.step", key=forward or key))


def address_step():
    form = forms.AddressForm()
    if request.method == "GET":
        form.site_address.data = wizard_state.load().site_address or services.site_address() \
            or address_from_request()
    verdict = check_address(form.site_address.data or "")
    # Every problem Google would refuse is named here, at the first step, and nothing is saved until none is left.
    if form.validate_on_submit() and verdict.ok:
        return _save_address(form.site_address.data)
    return _render("address", form=form, verdict=verdict,
                   detected=address_from_request(), structural=STRUCTURAL, alternatives=alternatives(verdict))


def _save_address(value):
    services.set_setting("SiteAddress", value, current_user)
    wizard_state.load().site_address = services.get_setting("SiteAddress")
    if not _stored_address_ok():  # accepted, but not with the legacy callback form chosen earlier: step 2
        return _done("address")
    # Google accepts the values: step 3 repeats them with copy buttons, so step 2 (the legacy form) is only a
    # detour for those who need it.
    wizard_state.complete("address")
    flash(_("Google accepts the address. Register the two values below in the Google Cloud console."), "success")
    return _done("values")


def alternatives(verdict):
    """For an address Google refuses by its host (an IP, an intranet name): what to enter instead."""
    if not {p.code for p in verdict.problems} & {"raw_ip_host", "tld_not_public_suffix", "localhost_subdomain"}:
        return None
    port = urlsplit(verdict.origin or "").port
    return {"dns": "https://crm.example.com", "localhost": f"http://localhost:{port}" if port else "http://localhost"}


def values_step():
    address = services.site_address()
    if not address:
        return redirect(url_for("setup.step", key="address"))
    form = forms.ValuesForm()
    if request.method == "GET":
        form.callback_form.data = services.callback_form()
    verdicts = {name: check_address(address, path) for name, path in CALLBACK_FORMS.items()}
    if form.validate_on_submit() and verdicts[form.callback_form.data].ok:  # a refused value is never passed on
        services.set_setting("OAuthCallbackForm", form.callback_form.data, current_user)
        return _done("values")
    return _render("values", form=form, address=address, verdicts=verdicts,
                   chosen=verdicts[services.callback_form()])


def console_step():
    form = forms.ConsoleForm()
    if request.method == "GET":
        form.publishing_status.data = services.get_setting("GoogleAppPublishingStatus")
    if form.validate_on_submit():
        services.set_setting("GoogleAppPublishingStatus", form.publishing_status.data, current_user)
        return _done("console")
    verdict = check_address(services.site_address() or "", CALLBACK_FORMS[services.callback_form()])
    return _render("console", form=form, checklist=steps.CHECKLIST, link=steps.console_link, verdict=verdict,
                   scope_lines=steps.scope_lines(), upload_form=forms.CredentialsForm(formdata=None),
                   testing=services.get_setting("GoogleAppPublishingStatus") == "testing")


def credentials_step(too_large=None):
    form = forms.CredentialsForm(formdata=None) if too_large else forms.CredentialsForm()
    errors, differences = {}, None
    if too_large is None and form.validate_on_submit():
        upload = form.client_file.data if form.client_file.data and form.client_file.data.filename else None
        result = credentials.save(form.client_id.data, form.client_secret.data,
                                  upload.stream if upload else None, current_user)
        errors, differences = result.errors, result.differences
        if result.saved and not differences:
            flash(_("The credentials were saved."), "success")
            wizard_state.complete("console")  # the file comes from the console: that step is done too
            _probe()  # upload and the first check in one step: step 5 opens with Google's answer
            return _done("credentials")
        if result.saved:
            wizard_state.complete("credentials")
    if too_large:
        errors = {"client_file": too_large}
    if not form.client_id.data:
        form.client_id.data = services.get_setting("GoogleClientId") or ""
    if differences is None:
        differences = credentials.stored_differences()
    origin, redirect_uri, _other = credentials.expected_values()
    return _render("credentials", form=form, errors={k: m.render() for k, m in errors.items()},
                   differences=[m.render() for m in differences], secret_set=services.is_set("GoogleClientSecret"),
                   origin=origin, redirect_uri=redirect_uri)


def verify_step():
    state = wizard_state.load()
    configured = services.google_client_config()
    client_redirect = configured.redirect_uri if configured else ""
    probe_text = roundtrip_text = None
    if state.probe_status and state.probe_status not in ("accepted", "not_configured"):
        probe_text = google_errors.explain(state.probe_status, redirect_uri=client_redirect,
                                           detail=state.probe_status)
    if state.roundtrip_status and state.roundtrip_status not in ("ok", "started", "not_configured"):
        roundtrip_text = google_errors.explain(state.roundtrip_status, redirect_uri=client_redirect,
                                               api=state.roundtrip_detail or "", detail=state.roundtrip_status)
    page_errors = [(code, *google_errors.explain(code, redirect_uri=client_redirect))
                   for code in google_errors.SHOWN_ON_GOOGLES_PAGE]
    return _render("verify", configured=configured is not None, probe_form=forms.ProbeForm(),
                   roundtrip_form=forms.RoundtripForm(), probe_text=probe_text, roundtrip_text=roundtrip_text,
                   page_errors=page_errors)


def summary_step():
    if request.method == "POST":
        abort(405)
    config = services.google_client_config()
    verdict = check_address(services.site_address() or "", CALLBACK_FORMS[services.callback_form()])
    return _render("summary", config=config, verdict=verdict,
                   publishing=services.get_setting("GoogleAppPublishingStatus"),
                   client_id=services.get_setting("GoogleClientId"), secret_set=services.is_set("GoogleClientSecret"))


STEP_VIEWS = {"address": address_step, "values": values_step, "console": console_step,
              "credentials": credentials_step, "verify": verify_step, "summary": summary_step}


@bp.post("/admin/setup/verify/probe")
@admin_required
def probe():
    if not forms.ProbeForm().validate_on_submit():
        abort(400)
    _probe()
    return redirect(url_for("setup.step", key="verify", _anchor="probe"))


def _probe():
    if verify.probe().good:
        wizard_state.complete("verify")


@bp.post("/admin/setup/verify/roundtrip")
@admin_required
def roundtrip():
    if not forms.RoundtripForm().validate_on_submit():
        abort(400)
    url = verify.start_roundtrip()
    if url is None:
        return redirect(url_for("setup.step", key="credentials"))
    return redirect(url)


@bp.before_app_request
def dispatch_wizard_roundtrip():
    """Google sends the wizard's round trip back to the registered redirect URI, which the accounts area
    serves. A `state` of the wizard's is finished here, before that view runs; anything else passes on."""
    legacy_path, legacy_id = LEGACY_CALLBACK.split("?Id=")
    on_callback = request.path == CALLBACK_FORMS["clean"] or (
        request.path == legacy_path and request.args.get("Id", "").lower() == legacy_id)
    if request.method != "GET" or not on_callback or not verify.is_admin_roundtrip(request.args):
        return None
    if not current_user.is_authenticated:
        return None  # the callback's own login_required takes over
    return verify.handle_admin_roundtrip(request.args)


@bp.get("/admin/setup/verify/return")
@admin_required
def roundtrip_return():
    """Where the shared OAuth callback may forward a wizard round trip (same query string)."""
    return verify.handle_admin_roundtrip(request.args)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(exc):
    """An upload above MAX_CONTENT_LENGTH: the credentials page again, the message next to the file field."""
    if not getattr(current_user, "is_admin", False) or (request.view_args or {}).get("key") != "credentials":
        return exc
    size = client_file.human_size(request.content_length or 0)
    response = credentials_step(too_large=Message(client_file.ERR_TOO_LARGE, {"size": size}))
    return response, 413
