--liquibase formatted sql

-- The step container's environment holds the database password as DBOPS_DB_PASSWORD; Liquibase
-- substitutes environment variables into changelogs, so this changelog makes the step print it:
-- a preview prints the SQL, and the apply fails with the value (plain and base64) in PostgreSQL's
-- error message.

--changeset e2e:1-echo splitStatements:false
SELECT 'plain=${DBOPS_DB_PASSWORD}';

--changeset e2e:2-leak splitStatements:false
DO $$ BEGIN RAISE EXCEPTION 'leaked % and %', '${DBOPS_DB_PASSWORD}', encode(convert_to('${DBOPS_DB_PASSWORD}', 'UTF8'), 'base64'); END $$;
