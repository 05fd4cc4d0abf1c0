--liquibase formatted sql

--changeset alice:slow-1
CREATE TABLE before_sleep (id INT);

--changeset alice:slow-2
SELECT pg_sleep(60);
