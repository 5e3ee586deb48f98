"""Demo data for `syncwizard run --demo`: two users, ~50 contacts of the first one (a dozen carry the personal
tag "Личные контакты", the tag the documented procedure syncs), a public tag (never synced) and a week of
activities. Idempotent: a second call finds the demo users and changes nothing.

Everything goes through the CRM services, so the change cursor sees the demo data like any user's.
"""
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wizard.crm import services
from wizard.extensions import db
from wizard.models import User

DEMO_PASSWORD = "demo password"
USERS = [
    {"email": "demo@example.com", "name": "Анна Демонстрова", "locale": "ru", "timezone": "Europe/Moscow"},
    {"email": "demo2@example.com", "name": "Second Demo", "locale": "en", "timezone": "Europe/London"},
]
PERSONAL_TAG = "Личные контакты"
PUBLIC_TAG = "Партнёры"

FIRST = ["Иван", "Мария", "Пётр", "Анна", "Ольга", "Сергей", "Елена", "Алексей", "Наталья", "Дмитрий",
         "Ксения", "Михаил", "Татьяна", "Андрей", "Юлия"]
LAST = ["Петров", "Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов"]
MIDDLE = ["Иванович", "Петрович", "Сергеевич", "Алексеевич", ""]
COMPANIES = ["ООО «Ромашка»", "АО «Вектор»", "Горизонт", "ACME Corp", "Globex", "ИП Сидоров", ""]
TITLES = ["Директор", "Менеджер по продажам", "Бухгалтер", "Инженер", "Маркетолог", ""]
CITIES = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург"]
FEMININE = {"Мария", "Анна", "Ольга", "Елена", "Наталья", "Ксения", "Татьяна", "Юлия"}


def seed(app, contacts: int = 50) -> dict:
    """Create the demo data unless it exists; returns what was created (zeros on a second call)."""
    created = {"users": 0, "contacts": 0, "activities": 0}
    with app.app_context():
        for spec in USERS:
            user = db.session.scalar(select(User).where(User.email == spec["email"]))
            if user is not None:
                continue
            user = User(role="user", **spec)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.commit()
            created["users"] += 1
            if spec is USERS[0]:
                created["contacts"] = _contacts(user, contacts)
                created["activities"] = _activities(user)
            else:
                services.create_contact(user.id, {"first_name": "Only", "last_name": "Mine",
                                                  "emails": [{"value": "only.mine@example.org"}]}, origin="demo")
                created["contacts"] += 1
        if created["users"]:
            app.logger.info("demo data: %s", created)
            print(f"demo users: {', '.join(u['email'] for u in USERS)} (password: {DEMO_PASSWORD!r})")
    return created


def _female(name: str) -> str:
    return name + "а" if name.endswith(("ов", "ев", "ин")) else name


def _contacts(user, count):
    rng = random.Random(42)  # the same demo every time
    personal = services.get_or_create_tag(user.id, PERSONAL_TAG)
    public = services.get_or_create_tag(user.id, PUBLIC_TAG, personal=False)
    ids = []
    for i in range(count):
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        middle = rng.choice(MIDDLE)
        if first in FEMININE:
            last, middle = _female(last), middle.replace("ич", "на") if middle else ""
        data = {
            "first_name": first, "last_name": last, "middle_name": middle,
            "company": rng.choice(COMPANIES), "job_title": rng.choice(TITLES),
            "emails": [{"value": f"contact{i + 1}@example.org", "type": "work"}],
            "phones": [{"value": f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
                                 f"{rng.randint(10, 99)}", "type": "mobile"}],
        }
        if i % 3 == 0:
            data["addresses"] = [{"city": rng.choice(CITIES), "street": f"ул. Ленина, д. {rng.randint(1, 99)}",
                                  "country": "Россия", "type": "work"}]
        if i % 4 == 0:
            data["birthday"] = {"day": rng.randint(1, 28), "month": rng.randint(1, 12),
                                "year": rng.choice([None, rng.randint(1960, 2000)])}
        ids.append(services.create_contact(user.id, data, origin="demo").id)
    services.tag_contacts(user.id, personal.id, ids[:12], origin="demo")
    services.tag_contacts(user.id, public.id, ids[10:16], origin="demo")
    return len(ids)


def _activities(user):
    zone = ZoneInfo(user.timezone)
    today = datetime.now(zone).date()
    monday = today - timedelta(days=today.weekday())
    plans = [
        ("Звонок клиенту", "call", 0, time(10, 0), 30, "planned"),
        ("Встреча с поставщиком", "meeting", 1, time(14, 0), 90, "planned"),
        ("Подготовить коммерческое предложение", "task", 2, time(9, 30), 60, "done"),
        ("Созвон с командой", "call", 3, time(11, 0), 45, "planned"),
        ("Презентация продукта", "meeting", 4, time(16, 0), 60, "cancelled"),
        ("Встреча в офисе партнёра", "meeting", 8, time(12, 0), 120, "planned"),
    ]
    count = 0
    for title, kind, offset, start, minutes, status in plans:
        begins = datetime.combine(monday + timedelta(days=offset), start, zone)
        services.create_activity(user.id, {
            "title": title, "type": kind, "status": status, "timezone": user.timezone,
            "start_at": begins, "end_at": begins + timedelta(minutes=minutes),
            "location": "Москва" if kind == "meeting" else "",
            # Meetings have guests: two demo contacts (linked by their addresses) and an outside address.
            "participants": [{"email": "contact1@example.org"}, {"email": "contact2@example.org"},
                             {"email": "partner@example.com", "display_name": "Партнёр"}] if kind == "meeting" else [],
        }, origin="demo")
        count += 1
    services.create_activity(user.id, {
        "title": "Конференция", "type": "meeting", "all_day": True, "start_date": monday + timedelta(days=9),
        "end_date": monday + timedelta(days=10), "location": "Санкт-Петербург"}, origin="demo")
    services.create_activity(user.id, {
        "title": "Отчёт за месяц", "type": "task", "all_day": True, "start_date": today,
        "show_in_calendar": False}, origin="demo")
    return count + 2
