-- The two PostgreSQL roles of akimat_reception, and what each may do (docs/deploy.md).
--
--   owner: owns the database, its schema and every table; runs `flask db upgrade` and restores.
--   app:   what the web server and the worker connect as; owns nothing. It may read and write rows
--          (SELECT, INSERT, UPDATE, DELETE) and draw ids from sequences, nothing else: it cannot
--          alter or drop a table, so it cannot `ALTER TABLE ... DISABLE TRIGGER` (ownership) or
--          drop the triggers that keep letters and journals append-only, and it cannot
--          `SET session_replication_role` (superuser only), which would switch them all off.
--
-- Run it as a superuser (postgres), connected to the application's database, after
-- `createdb reception`; run it again at any time (every statement is idempotent). The names come
-- from two settings, defaults reception_owner and reception_app:
--
--   PGOPTIONS='-c akimat.owner=reception_owner -c akimat.app=reception_app' \
--     psql -v ON_ERROR_STOP=1 -d reception -f deploy/postgres-roles.sql
--
-- Passwords are set apart, never in this file: `\password reception_owner` in psql.
-- The test suite runs this same file (tests/conftest.py) before migrating as the owner.

DO $roles$
DECLARE
    owner_role text := coalesce(nullif(current_setting('akimat.owner', true), ''), 'reception_owner');
    app_role text := coalesce(nullif(current_setting('akimat.app', true), ''), 'reception_app');
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY[owner_role, app_role] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN', name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another session created it a moment ago: roles belong to the whole server
            END;
        END IF;
        -- Neither role is a superuser or may create roles, databases or replicate.
        EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', name);
    END LOOP;

    -- The owner owns the database and its schema: migrations create tables, functions, triggers.
    EXECUTE format('ALTER DATABASE %I OWNER TO %I', current_database(), owner_role);
    EXECUTE format('ALTER SCHEMA public OWNER TO %I', owner_role);
    EXECUTE 'REVOKE ALL ON DATABASE ' || quote_ident(current_database()) || ' FROM PUBLIC';
    EXECUTE 'REVOKE ALL ON SCHEMA public FROM PUBLIC';

    -- The application: connect, use the schema (never CREATE in it), rows and sequences only.
    -- SELECT on a sequence only reads its current value; pg_dump needs it, so `flask backup` runs
    -- with the site's own settings. (No UPDATE: setval, which could move a sequence back, is the owner's.)
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app_role);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
    -- Tables and sequences that later migrations create (as the owner) are granted the same at once.
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        owner_role, app_role);
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I',
        owner_role, app_role);
END
$roles$;
