"""Adapters at the Google edge: nothing here decides what to sync, only how to talk to Google.

- `errors`: HTTP and OAuth failures as domain errors with message codes.
- `pacing`: per-account write lock, per-minute budget, backoff with jitter (Redis-backed).
- `transport`: one HTTP call with those rules (retries, one token refresh).
- `people`: People API (contacts, contact groups), chunked to Google's batch limits.
- `calendar`, `batch`: Calendar API and its multipart batch endpoint.
- `mapping`: Google JSON <-> the core's normalized records (`wizard.sync.records`).
- `session`: builds the clients for a linked account from the app's configuration and the OAuth client.
- `oauth`: the one OAuth client (every token request); `tokens`: a linked account's tokens; `scopes`.
- `sides`: Google as the engine sees it; `rules`: Google's registration rules for addresses (pure).
"""
