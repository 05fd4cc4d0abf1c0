--liquibase formatted sql

--changeset alice:1
CREATE TABLE t1 (id INT);

--changeset alice:2
CREATE TABLE t2 (id INT);

--changeset alice:3
CREATE TABLEX t3 (id INT);

--changeset alice:4
CREATE TABLE t4 (id INT);
