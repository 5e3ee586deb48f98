"""The table of addresses and URIs, each naming the Google rule it exercises (google-apis.md, section 2).

(rule, address, expected problem codes). An empty set means Google accepts both derived values.
"""
L = "/0/ViewPage.aspx?Id=3b22f0ff-034a-48da-8758-a0660e5a26ff"

CASES = [
    # rule 1: scheme https; http only for localhost
    ("1 https public domain accepted", "https://crm.example.com", set()),
    ("1 bare domain gets https", "crm.example.com", set()),
    ("1 http refused outside localhost", "http://crm.example.com", {"scheme_not_https"}),
    ("1 http localhost accepted", "http://localhost:5000", set()),
    ("1 http 127.0.0.1 accepted", "http://127.0.0.1:8080", set()),
    ("1 http [::1] accepted", "http://[::1]:8080", set()),
    ("1 bare localhost gets http", "localhost:5000", set()),
    ("1 https localhost accepted", "https://localhost", set()),
    ("1 ftp scheme refused", "ftp://crm.example.com", {"scheme_not_allowed"}),
    ("1 javascript scheme refused", "javascript://crm.example.com/x", {"scheme_not_allowed"}),
    ("1 explicit port kept", "https://crm.example.com:8443", set()),
    # rule 2: no raw IP hosts except loopback
    ("2 private IPv4 with port (documented recipe)", "10.0.0.5:8080", {"raw_ip_host"}),
    ("2 private IPv4 over http", "http://192.168.1.45:5678", {"raw_ip_host", "scheme_not_https"}),
    ("2 public IPv4", "https://8.8.8.8", {"raw_ip_host"}),
    ("2 private IPv6", "https://[fd00::1]:8443", {"raw_ip_host"}),
    ("2 link-local IPv4", "https://169.254.10.10", {"raw_ip_host"}),
    ("2 public IPv6", "https://[2001:4860:4860::8888]", {"raw_ip_host"}),
    ("2 documented recipe with legacy path", "10.0.0.5:8080" + L, {"raw_ip_host"}),
    ("2 other loopback address", "http://127.0.0.2:5000", set()),
    # rule 3: public suffix
    ("3 .local refused", "crm.local", {"tld_not_public_suffix"}),
    ("3 .lan refused", "https://crm.lan", {"tld_not_public_suffix"}),
    ("3 .internal refused", "https://crm.internal", {"tld_not_public_suffix"}),
    ("3 .corp refused", "https://crm.corp", {"tld_not_public_suffix"}),
    ("3 .test refused", "https://crm.test", {"tld_not_public_suffix"}),
    ("3 .example refused", "https://crm.example", {"tld_not_public_suffix"}),
    ("3 single-label intranet name", "https://crm", {"tld_not_public_suffix"}),
    ("3 home.arpa refused", "https://crm.home.arpa", {"tld_not_public_suffix"}),
    ("3 subdomain of localhost refused", "http://app.localhost:5000", {"localhost_subdomain", "scheme_not_https"}),
    ("3 company subdomain with split DNS accepted", "https://crm.intranet.example.com", set()),
    ("3 multi-part public suffix accepted", "https://crm.example.co.uk", set()),
    ("3 IDN domain accepted", "https://пример.рф", set()),
    ("3 host is a public suffix", "https://co.uk", {"host_is_public_suffix"}),
    ("3 upper-case host normalised", "HTTPS://CRM.Example.COM", set()),
    # rule 4: googleusercontent.com and shorteners
    ("4 googleusercontent.com refused", "https://app.googleusercontent.com", {"googleusercontent_host"}),
    ("4 shortener refused", "https://goo.gl/callback", {"url_shortener"}),
    ("4 owned shortener with /google-callback", "https://goo.gl/google-callback", set()),
    # rule 5: userinfo, fragment, traversal, open redirect
    ("5 userinfo refused", "https://admin:pw@crm.example.com", {"userinfo"}),
    ("5 fragment refused", "https://crm.example.com/oauth/google/callback#top", {"fragment"}),
    ("5 empty fragment refused", "https://crm.example.com/#", {"fragment"}),
    ("5 path traversal refused", "https://crm.example.com/a/../oauth/google/callback", {"path_traversal"}),
    ("5 encoded path traversal refused", "https://crm.example.com/a/%2e%2e/cb", {"path_traversal"}),
    ("5 backslash traversal refused", "https://crm.example.com/a%5c..%5ccb", {"path_traversal"}),
    ("5 open redirect refused", "https://crm.example.com/cb?next=https://evil.example.net/",
     {"open_redirect"}),
    ("5 encoded open redirect refused", "https://crm.example.com/cb?next=https%3A%2F%2Fevil.example.net",
     {"open_redirect"}),
    ("5 legacy callback query accepted", "https://crm.example.com" + L, set()),
    ("5 clean callback accepted", "https://crm.example.com/oauth/google/callback", set()),
    # rule 6: wildcards, non-printable, percent encodings, NULs
    ("6 wildcard host refused", "https://*.example.com", {"wildcard"}),
    ("6 wildcard path refused", "https://crm.example.com/*", {"wildcard"}),
    ("6 space refused", "https://crm.example.com/oauth google", {"non_printable"}),
    ("6 tab refused", "https://crm.example.com/a\tb", {"non_printable"}),
    ("6 malformed percent encoding", "https://crm.example.com/a%zz", {"bad_percent_encoding"}),
    ("6 encoded NUL", "https://crm.example.com/a%00b", {"encoded_nul"}),
    ("6 overlong encoded NUL", "https://crm.example.com/a%C0%80b", {"encoded_nul"}),
    # not a URL at all
    ("0 empty address", "", {"empty"}),
    ("0 invalid port", "https://crm.example.com:99999", {"bad_port"}),
    ("0 invalid host characters", "https://crm!.example.com", {"invalid_host"}),
]
