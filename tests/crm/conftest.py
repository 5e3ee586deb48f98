from tests.crm.fixtures import alice, bob, login_as  # noqa: F401
