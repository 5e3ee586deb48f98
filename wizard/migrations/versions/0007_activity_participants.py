"""activity participants: the CRM side of an event's attendees

Revision ID: 8b3e61c0a4f2
Revises: 5f2c9a7d31e4
Create Date: 2026-12-06 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
import wizard.models  # noqa: F401  (revisions name the models' own column types)


# revision identifiers, used by Alembic.
revision = '8b3e61c0a4f2'
down_revision = '5f2c9a7d31e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('normalized', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=300), nullable=False),
    sa.Column('response_status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'],
                            name=op.f('fk_activity_participants_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                            name=op.f('fk_activity_participants_contact_id_contacts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_participants')),
    sa.UniqueConstraint('activity_id', 'normalized', name='uq_activity_participants_email')
    )
    with op.batch_alter_table('activity_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_participants_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participants_contact_id'), ['contact_id'], unique=False)
    # Synced pairs hold a base without participants, and the events' attendees were never read: a CRM edit
    # planned against that base would send the event back without its guests. The next activities run lists
    # every event afresh (no sync token, no etag to skip by), so each pair merges with its event's attendees.
    op.execute(sa.text("UPDATE sync_cursors SET google_token = NULL WHERE object = 'activities'"))
    op.execute(sa.text("UPDATE sync_pairs SET google_etag = NULL WHERE object = 'activities'"))


def downgrade():
    with op.batch_alter_table('activity_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_participants_contact_id'))
        batch_op.drop_index(batch_op.f('ix_activity_participants_activity_id'))
    op.drop_table('activity_participants')
