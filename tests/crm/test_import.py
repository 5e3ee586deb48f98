"""Importing contacts from CSV and vCard files, through the page and the parser."""
import io

from wizard.crm import importing, services

VCARD = """BEGIN:VCARD
VERSION:3.0
N:Иванова;Мария;Петровна;;
FN:Мария Петровна Иванова
ORG:ООО «Ромашка»;Продажи
TITLE:Директор
EMAIL;TYPE=INTERNET,WORK:maria@example.com
TEL;TYPE=CELL:+7 912 345-67-89
ADR;TYPE=HOME:;;ул. Ленина\\, 1;Москва;;101000;Россия
BDAY:--05-17
NOTE:Первая строка\\nвторая
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Just A Display
EMAIL:just@example.org
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:;;;;
EMAIL:not-an-email
END:VCARD
"""


def test_vcard_parser_reads_structured_fields():
    first, second, third = importing.parse_vcard(VCARD)
    assert (first["last_name"], first["first_name"], first["middle_name"]) == ("Иванова", "Мария", "Петровна")
    assert "display_name" not in first and first["company"] == "ООО «Ромашка»"
    assert first["emails"] == [{"value": "maria@example.com", "type": "work"}]
    assert first["phones"] == [{"value": "+7 912 345-67-89", "type": "mobile"}]
    assert first["addresses"][0]["street"] == "ул. Ленина, 1" and first["addresses"][0]["type"] == "home"
    assert first["birthday"] == {"year": None, "month": 5, "day": 17}
    assert first["notes"] == "Первая строка\nвторая"
    assert second["display_name"] == "Just A Display"
    assert third["emails"][0]["value"] == "not-an-email"


def test_csv_in_russian_headers_and_cp1251():
    text = "Фамилия;Имя;E-mail;Телефон;День рождения;Город\nПетров;Иван;ivan@example.com; +7 912 000-00-01;17.05.1980;Казань\n"
    records = importing.parse_file("contacts.csv", text.encode("cp1251"))
    assert records == [{"last_name": "Петров", "first_name": "Иван",
                        "emails": [{"value": "ivan@example.com", "type": "work"}],
                        "phones": [{"value": "+7 912 000-00-01", "type": "mobile"}],
                        "birthday": {"day": 17, "month": 5, "year": 1980},
                        "addresses": [{"city": "Казань", "type": "work"}]}]


def test_import_page_creates_valid_records_tags_them_and_reports_the_rest(client, alice, login_as):
    login_as(alice)
    response = client.post("/contacts/import", data={
        "file": (io.BytesIO(VCARD.encode()), "google.vcf"), "tag_name": "Личные контакты"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "import-failures" in page and "emails.0.value" in page
    tag = services.find_tag(alice.id, "Личные контакты")
    names = sorted(c.display_name for c in services.list_contacts(alice.id, tag_id=tag.id).items)
    assert names == ["Just A Display", "Мария Петровна Иванова"]


def test_import_csv_redirects_when_all_good(client, alice, bob, login_as):
    login_as(alice)
    csv_text = "first_name,last_name,email,tags\nAnn,Lee,ann@example.com,VIP;Friends\n"
    response = client.post("/contacts/import", data={"file": (io.BytesIO(csv_text.encode()), "c.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    contact = services.list_contacts(alice.id).items[0]
    assert sorted(t.name for t in contact.tags) == ["Friends", "VIP"]
    assert services.list_contacts(bob.id).total == 0
