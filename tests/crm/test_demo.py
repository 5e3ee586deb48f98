"""The demo seed: users, contacts with the personal tag, activities; a second run changes nothing."""
from sqlalchemy import func, select

from wizard.cli import demo
from wizard.crm import services
from wizard.extensions import db
from wizard.models import User
from wizard.models.crm import Activity, Contact


def test_seed_is_idempotent_and_tags_personal_contacts(app):
    first = demo.seed(app)
    assert first == {"users": 2, "contacts": 51, "activities": 8}
    assert demo.seed(app) == {"users": 0, "contacts": 0, "activities": 0}
    user = db.session.scalar(select(User).where(User.email == "demo@example.com"))
    assert user.check_password(demo.DEMO_PASSWORD) and user.role == "user"
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 51
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 8
    personal = services.find_tag(user.id, "Личные контакты")
    assert personal.personal and services.list_contacts(user.id, tag_id=personal.id).total == 12
    public = services.find_tag(user.id, demo.PUBLIC_TAG)
    assert public.personal is False
    other = db.session.scalar(select(User).where(User.email == "demo2@example.com"))
    assert services.list_tags(other.id) == []
