"""corrections: change history, office stays, home-visit flag, patient and consent fields

Revision ID: 0008_corrections
Revises: 0007_device_key_share
Create Date: 2026-12-06 08:30:00

A correction leaves a `change_record` row per changed field; `office_stay` keeps
the periods a person belonged to each office (seeded with one open stay per user
who has an office, from the day the user was registered). `visits_homes` is
derived from today's rule: a doctor of a 在宅療養支援診療所 or a nurse of a 訪問看護
ステーション makes home visits; the city corrects the rest person by person.
"""
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import uuid_utils
from alembic import op

import advanced_alchemy.types

revision: str = '0008_corrections'
down_revision: str | None = '0007_device_key_share'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Reviewed: two new tables; nullable or defaulted columns on office, user_account,
    # patient, consent and room (SQLite: a batch rebuild of each of those tables).
    op.create_table('change_record',
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', UTC, nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_change_record_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_record'))
    )
    op.create_index('ix_change_record_entity', 'change_record', ['entity_type', 'entity_id', 'at'], unique=False)
    op.create_table('office_stay',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('office_id', sa.Uuid(), nullable=False),
    sa.Column('started_at', UTC, nullable=False),
    sa.Column('ended_at', UTC, nullable=True),
    sa.Column('ended_reason', sa.String(length=20), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_office_stay_office_id_office')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_office_stay_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_stay'))
    )
    with op.batch_alter_table('office_stay', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_stay_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_office_stay_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_office_merged_into_id_office'), 'office', ['merged_into_id'], ['id'])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visits_homes', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attending_physician', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('emergency_contact_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('emergency_contact_relationship', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('emergency_contact_phone', sa.String(length=30), nullable=False, server_default=''))
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explainer_office', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_recorded_by_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_consent_withdrawn_recorded_by_id_user_account'), 'user_account', ['withdrawn_recorded_by_id'], ['id'])
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_note', sa.Text(), nullable=True))

    # The home-visit flag from the office-kind rule it replaces.
    op.execute(
        "UPDATE user_account SET visits_homes = true WHERE office_id IN ("
        " SELECT id FROM office WHERE (user_account.job_type = 'doctor' AND kind = 'home_visit_clinic')"
        " OR (user_account.job_type = 'nurse' AND kind = 'visiting_nurse_station'))"
    )
    # One open office stay per user with an office, from registration.
    bind = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Uuid()), sa.column('office_id', sa.Uuid()),
                     sa.column('created_at', UTC))
    stays = sa.table('office_stay', sa.column('id', sa.Uuid()), sa.column('user_id', sa.Uuid()),
                     sa.column('office_id', sa.Uuid()), sa.column('started_at', UTC))
    rows = bind.execute(sa.select(users.c.id, users.c.office_id, users.c.created_at)
                        .where(users.c.office_id.is_not(None))).all()
    if rows:
        op.bulk_insert(stays, [
            {'id': uuid.UUID(bytes=uuid_utils.uuid7().bytes), 'user_id': r.id,
             'office_id': r.office_id, 'started_at': r.created_at}
            for r in rows
        ])


def downgrade() -> None:
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_column('closed_note')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consent_withdrawn_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('withdrawn_recorded_by_id')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_on')
        batch_op.drop_column('explainer_office')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('emergency_contact_phone')
        batch_op.drop_column('emergency_contact_relationship')
        batch_op.drop_column('emergency_contact_name')
        batch_op.drop_column('attending_physician')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('visits_homes')
    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_office_merged_into_id_office'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('office_stay', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_stay_user_id'))
        batch_op.drop_index(batch_op.f('ix_office_stay_office_id'))
    op.drop_table('office_stay')
    op.drop_index('ix_change_record_entity', table_name='change_record')
    op.drop_table('change_record')
