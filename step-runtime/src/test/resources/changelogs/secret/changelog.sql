--liquibase formatted sql

--changeset alice:leak
SELEC 'S3cr3t-xyz' AS pw;
