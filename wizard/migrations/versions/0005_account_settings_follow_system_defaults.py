"""account settings follow the system defaults while the account has no value of its own

The period of each object, the conflict policy and the two deletion switches become nullable: NULL means
"follow the system setting" (ContactsSyncPeriodMinutes, ActivitiesSyncPeriodMinutes, SyncConflictPolicy,
SyncDeletePolicy), read at run time. Rows holding the old column defaults that equal the system defaults
(contacts every 60 minutes, "ask", no real deletion) are set to follow them, so nothing any account does
changes; an activities period of 60 (the old column default, while the system default is 15) stays the
account's own.

Revision ID: d7eb212fb20c
Revises: 5e1f0c2a9d34
Create Date: 2026-12-06 01:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
import wizard.models  # noqa: F401  (revisions name the models' own column types)


# revision identifiers, used by Alembic.
revision = 'd7eb212fb20c'
down_revision = '5e1f0c2a9d34'
branch_labels = None
depends_on = None

COLUMNS = (('activities_period_minutes', sa.Integer()), ('contacts_period_minutes', sa.Integer()),
           ('conflict_policy', sa.String(length=20)), ('delete_in_google', sa.Boolean()),
           ('delete_in_crm', sa.Boolean()))
# The old column defaults, which an account kept unless it chose otherwise.
OLD_DEFAULTS = {'activities_period_minutes': 60, 'contacts_period_minutes': 60, 'conflict_policy': 'ask',
                'delete_in_google': False, 'delete_in_crm': False}
FOLLOWING_NOW = ('contacts_period_minutes', 'conflict_policy', 'delete_in_google', 'delete_in_crm')


def _table():
    return sa.table('account_settings', *(sa.column(name, kind) for name, kind in COLUMNS))


def upgrade():
    with op.batch_alter_table('account_settings', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=True)
    table = _table()
    for name in FOLLOWING_NOW:
        column = table.c[name]
        op.execute(table.update().where(column == OLD_DEFAULTS[name]).values({name: None}))


def downgrade():
    table = _table()
    for name, _kind in COLUMNS:
        op.execute(table.update().where(table.c[name].is_(None)).values({name: OLD_DEFAULTS[name]}))
    with op.batch_alter_table('account_settings', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
