"""Importing contacts from a CSV file or a vCard (.vcf) file.

Both formats are turned into the services' input dicts; each record is then created through
`services.create_contact`, so imported contacts are validated and reach the change cursor like any other.
A bad record is reported with its number and reasons; the good ones are imported.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from wizard.crm import services
from wizard.crm.validation import ValidationError

MAX_RECORDS = 10000

# CSV header → contact field; English and Russian names, compared case-insensitively.
CSV_COLUMNS = {
    "first_name": "first_name", "first name": "first_name", "имя": "first_name",
    "last_name": "last_name", "last name": "last_name", "фамилия": "last_name",
    "middle_name": "middle_name", "middle name": "middle_name", "отчество": "middle_name",
    "display_name": "display_name", "name": "display_name", "full name": "display_name", "фио": "display_name",
    "company": "company", "organization": "company", "компания": "company", "организация": "company",
    "job_title": "job_title", "title": "job_title", "job title": "job_title", "должность": "job_title",
    "email": "emails", "e-mail": "emails", "emails": "emails", "почта": "emails",
    "phone": "phones", "phones": "phones", "телефон": "phones", "телефоны": "phones",
    "birthday": "birthday", "день рождения": "birthday", "дата рождения": "birthday",
    "notes": "notes", "note": "notes", "заметки": "notes", "примечание": "notes",
    "city": "city", "город": "city", "country": "country", "страна": "country",
    "street": "street", "улица": "street", "address": "street", "адрес": "street",
    "tags": "tags", "теги": "tags",
}


@dataclass
class ImportResult:
    created: int = 0
    failed: list = field(default_factory=list)  # (record number, {field: [messages]})


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251: what Russian spreadsheets export."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def parse_birthday(text: str):
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", text) or re.fullmatch(r"--(\d{2})-?(\d{2})()", text)
    if match and len(match.group(1)) == 4:
        return {"year": int(match.group(1)), "month": int(match.group(2)), "day": int(match.group(3))}
    if match:
        return {"year": None, "month": int(match.group(1)), "day": int(match.group(2))}
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?", text)
    if match:
        return {"day": int(match.group(1)), "month": int(match.group(2)),
                "year": int(match.group(3)) if match.group(3) else None}
    return {"day": text, "month": None}  # refused by the services with a clear message


def split_values(text: str) -> list[str]:
    return [v.strip() for v in re.split(r"[;,\n]", text or "") if v.strip()]


def parse_csv(text: str) -> list[dict]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    records = []
    for row in reader:
        record, address = {}, {}
        for header, value in row.items():
            key = CSV_COLUMNS.get((header or "").strip().casefold())
            if key is None or value is None:
                continue
            value = value.strip() if isinstance(value, str) else ""
            if key == "emails":
                record["emails"] = [{"value": v, "type": "work"} for v in split_values(value)]
            elif key == "phones":
                record["phones"] = [{"value": v, "type": "mobile"} for v in re.split(r"[;\n]", value) if v.strip()]
            elif key == "birthday":
                record["birthday"] = parse_birthday(value)
            elif key == "tags":
                record["tags"] = split_values(value)
            elif key in ("city", "country", "street"):
                if value:
                    address[key] = value
            else:
                record[key] = value
        if address:
            record["addresses"] = [{**address, "type": "work"}]
        if any(v for v in record.values()):
            records.append(record)
    return records


def _unfold(text: str) -> list[str]:
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split_escaped(value: str, sep=";") -> list[str]:
    return [_unescape(part) for part in re.split(r"(?<!\\)" + re.escape(sep), value)]


def _vcard_type(params: str) -> str:
    found = params.upper()
    for name, kind in (("CELL", "mobile"), ("WORK", "work"), ("HOME", "home")):
        if name in found:
            return kind
    return "other"


def parse_vcard(text: str) -> list[dict]:
    records, current = [], None
    for line in _unfold(text):
        if ":" not in line:
            continue
        head, value = line.split(":", 1)
        name, _sep, params = head.partition(";")
        name = name.split(".")[-1].upper()  # item1.EMAIL → EMAIL
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            current = {"emails": [], "phones": [], "addresses": []}
        elif name == "END" and current is not None:
            records.append({k: v for k, v in current.items() if v not in ([], None)})
            current = None
        elif current is None:
            continue
        elif name == "N":
            parts = _split_escaped(value) + [""] * 5
            current.update(last_name=parts[0], first_name=parts[1], middle_name=parts[2])
        elif name == "FN":
            current["display_name"] = _unescape(value)
        elif name == "ORG":
            current["company"] = _split_escaped(value)[0]
        elif name == "TITLE":
            current["job_title"] = _unescape(value)
        elif name == "EMAIL":
            current["emails"].append({"value": value.strip(), "type": _vcard_type(params)})
        elif name == "TEL":
            current["phones"].append({"value": value.strip().removeprefix("tel:"), "type": _vcard_type(params)})
        elif name == "ADR":
            parts = _split_escaped(value) + [""] * 7
            street = " ".join(p for p in (parts[1], parts[2]) if p)
            current["addresses"].append({"street": street, "city": parts[3], "region": parts[4],
                                         "postcode": parts[5], "country": parts[6], "type": _vcard_type(params)})
        elif name == "BDAY":
            current["birthday"] = parse_birthday(value.split("T")[0])
        elif name == "NOTE":
            current["notes"] = _unescape(value)
    for record in records:
        # FN repeating the structured name is not an explicit display name.
        composed = " ".join(p for p in (record.get("first_name"), record.get("middle_name"),
                                        record.get("last_name")) if p)
        if record.get("display_name") == composed or (composed and record.get("display_name") == " ".join(
                p for p in (record.get("first_name"), record.get("last_name")) if p)):
            record.pop("display_name")
    return records


def parse_file(filename: str, raw: bytes) -> list[dict]:
    text = decode(raw)
    if filename.lower().endswith((".vcf", ".vcard")) or text.lstrip().upper().startswith("BEGIN:VCARD"):
        return parse_vcard(text)
    return parse_csv(text)


def import_contacts(owner_id: int, records: list[dict], tag_name: str = "") -> ImportResult:
    result = ImportResult()
    tag = services.get_or_create_tag(owner_id, tag_name) if tag_name.strip() else None
    created_ids = []
    for number, record in enumerate(records[:MAX_RECORDS], start=1):
        try:
            created_ids.append(services.create_contact(owner_id, record, origin="import").id)
            result.created += 1
        except ValidationError as error:
            result.failed.append((number, error.as_text()))
    if tag is not None and created_ids:
        services.tag_contacts(owner_id, tag.id, created_ids, origin="import")
    return result
