from django.db import migrations

# The ledger is append-only, also for raw SQL: an UPDATE is refused, except the one Django
# makes when a project is deleted (project_id set to NULL, nothing else changed). Rows are
# deleted only with their organization (ON DELETE CASCADE through Django's collector).
CREATE = """
CREATE OR REPLACE FUNCTION billing_usageledger_append_only() RETURNS trigger AS $$
BEGIN
    IF NEW.project_id IS NULL AND (to_jsonb(NEW) - 'project_id') = (to_jsonb(OLD) - 'project_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'billing_usageledger is append-only: rows cannot be changed';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_usageledger_append_only
    BEFORE UPDATE ON billing_usageledger
    FOR EACH ROW EXECUTE FUNCTION billing_usageledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS billing_usageledger_append_only ON billing_usageledger;
DROP FUNCTION IF EXISTS billing_usageledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
