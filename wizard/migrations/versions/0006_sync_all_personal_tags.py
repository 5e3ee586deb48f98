"""account settings: sync every personal tag (the default of a newly linked account)

Revision ID: 5f2c9a7d31e4
Revises: d7eb212fb20c
Create Date: 2026-12-06 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import wizard.models  # noqa: F401  (revisions name the models' own column types)


# revision identifiers, used by Alembic.
revision = '5f2c9a7d31e4'
down_revision = 'd7eb212fb20c'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts keep the tags their users chose (false); a new link sets true (accounts.settings).
    with op.batch_alter_table('account_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_all_personal_tags', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('account_settings', schema=None) as batch_op:
        batch_op.drop_column('sync_all_personal_tags')
