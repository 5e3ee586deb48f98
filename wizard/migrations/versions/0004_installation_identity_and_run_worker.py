"""installation identity and the worker of a run

Revision ID: 5e1f0c2a9d34
Revises: a4934f10ea09
Create Date: 2026-12-06 01:20:00.000000

The identity row itself is written after the schema, by `syncwizard db upgrade` or the first start
(wizard.settings: created, or adopted from INSTALLATION_ID or an instance folder's installation.id).
"""
from alembic import op
import sqlalchemy as sa
import wizard.models  # noqa: F401  (revisions name the models' own column types)


# revision identifiers, used by Alembic.
revision = '5e1f0c2a9d34'
down_revision = 'a4934f10ea09'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('installation_id', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_column('worker')
    op.drop_table('installation')
