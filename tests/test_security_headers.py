def test_pages_carry_csp_without_inline_scripts_and_cannot_be_framed(client):
    response = client.get("/healthz") if client.get("/healthz").status_code != 404 else client.get("/")
    csp = response.headers["Content-Security-Policy"]
    script_src = [d for d in csp.split(";") if d.strip().startswith("script-src")][0]
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://crm.example.com")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
