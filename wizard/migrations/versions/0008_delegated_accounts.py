"""google accounts: how each is connected (personal consent, or the Workspace domain's delegation)

Revision ID: 8b41e6c2d907
Revises: 8b3e61c0a4f2
Create Date: 2026-12-06 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b41e6c2d907'
down_revision = '8b3e61c0a4f2'
branch_labels = None
depends_on = None


def upgrade():
    # Every account linked so far went through the consent screen: "personal".
    with op.batch_alter_table('google_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='personal', nullable=False))


def downgrade():
    with op.batch_alter_table('google_accounts', schema=None) as batch_op:
        batch_op.drop_column('kind')
