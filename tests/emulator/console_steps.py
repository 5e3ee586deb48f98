"""Google's console steps in the emulator's pages, as an administrator clicks them in chromium (shared by the
emulator's own browser tests and the product's domain walk)."""


def create_project(page, emulator, apis=()):
    """A new project on the console's home page, then the named APIs enabled ("calendar", "people")."""
    page.goto(emulator.url + "/")
    page.get_by_label("Project name").fill("CRM sync")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/console/projects/*")
    for api in apis:
        page.locator(f"form[action$='/apis/{api}'] button").click()


def create_service_account_key(page):
    """On the project's page: a service account, then its JSON key (a real download). Returns (the account's
    numeric client ID, the download)."""
    page.get_by_label("Service account name").fill("CRM sync")
    page.get_by_role("button", name="Create and continue").click()
    page.wait_for_url("**/serviceaccounts/*")
    client_id = page.locator("#client-id").inner_text()
    with page.expect_download() as download:
        page.locator("form[action$='/keys'] button").click()
    return client_id, download.value


def add_domain_users(page, emulator, domain, users):
    """The Workspace domain and its users, each (first name, last name, the address's local part)."""
    page.goto(emulator.url + "/ac/users")
    page.get_by_label("Domain name").fill(domain)
    page.get_by_role("button", name="Add domain").click()
    for first, last, local in users:
        page.get_by_label("First name").fill(first)
        page.get_by_label("Last name").fill(last)
        page.get_by_label("Primary email").fill(local)
        page.locator("form[action='/ac/users'] button").click()


def authorize_delegation(page, emulator, client_id, scopes_line):
    """The Admin console's domain-wide delegation of these scopes (comma-delimited) to the service account."""
    page.goto(emulator.url + "/ac/owl/domainwidedelegation")
    page.get_by_label("Client ID", exact=True).fill(client_id)
    page.get_by_label("OAuth scopes (comma-delimited)").last.fill(scopes_line)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**saved=authorized*")
