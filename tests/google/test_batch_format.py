"""The multipart/mixed batch format, independent of any server."""
import json

import pytest

from wizard.google.batch import BatchFormatError, BatchRequest, InnerResponse, decode, encode, encode_response


def test_encoded_request_has_one_http_part_per_call_with_path_only():
    requests = [
        BatchRequest("POST", "/calendar/v3/calendars/primary/events", (("sendUpdates", "none"),), {"summary": "Ж"}),
        BatchRequest("DELETE", "/calendar/v3/calendars/primary/events/abc", (("sendUpdates", "none"),), None,
                     (("If-Match", '"etag-1"'),)),
    ]
    content_type, body = encode(requests, boundary="b0")
    assert content_type == "multipart/mixed; boundary=b0"
    text = body.decode()
    assert text.count("Content-Type: application/http") == 2
    assert "Content-ID: <item-0>" in text and "Content-ID: <item-1>" in text
    assert "POST /calendar/v3/calendars/primary/events?sendUpdates=none HTTP/1.1" in text
    assert 'If-Match: "etag-1"' in text
    assert json.dumps({"summary": "Ж"}, ensure_ascii=False) in text
    assert text.rstrip().endswith("--b0--")


def test_answers_are_put_back_in_request_order_by_content_id():
    answers = [InnerResponse(200, {"Content-Type": "application/json"}, b'{"id": "a"}'),
               InnerResponse(204, {}, b""),
               InnerResponse(409, {"Content-Type": "application/json"}, b'{"error": {"code": 409}}')]
    content_type, body = encode_response(answers, boundary="resp")
    parts = body.split(b"--resp")
    shuffled = b"--resp".join([parts[0], parts[3], parts[1], parts[2]] + parts[4:])
    decoded = decode(content_type, shuffled, 3)
    assert [d.status for d in decoded] == [200, 204, 409]
    assert decoded[0].json() == {"id": "a"}
    assert decoded[1].json() is None


def test_googles_own_layout_with_lf_line_ends_and_extra_headers():
    body = (b"--batch_x\nContent-Type: application/http\nContent-ID: <response-item-0>\n\n"
            b"HTTP/1.1 200 OK\nContent-Type: application/json; charset=UTF-8\nVary: Origin\n\n{\"id\": \"e1\"}\n"
            b"--batch_x\nContent-Type: application/http\nContent-ID: <response-item-1>\n\n"
            b"HTTP/1.1 410 Gone\n\n{\"error\": {\"code\": 410}}\n--batch_x--\n")
    decoded = decode('multipart/mixed; boundary="batch_x"', body, 2)
    assert decoded[0].json() == {"id": "e1"} and decoded[1].status == 410
    assert decoded[1].json() == {"error": {"code": 410}}


def test_a_missing_part_is_an_error_not_a_silent_success():
    content_type, body = encode_response([InnerResponse(200, {}, b"{}")], boundary="z")
    with pytest.raises(BatchFormatError):
        decode(content_type, body, 2)
    with pytest.raises(BatchFormatError):
        decode("application/json", body, 1)


def test_listings_follow_empty_pages_and_take_the_sync_token_from_the_last():
    from wizard.google.people import Listing

    pages = {None: {"items": [1, 2], "nextPageToken": "a"}, "a": {"nextPageToken": "b"},
             "b": {"items": [3], "nextSyncToken": "sync-1"}}
    asked = []

    def fetch(token):
        asked.append(token)
        return pages[token]

    listing = Listing(fetch, "items")
    assert list(listing.items()) == [1, 2, 3]
    assert asked == [None, "a", "b"] and listing.sync_token == "sync-1" and listing.pages_read == 3
