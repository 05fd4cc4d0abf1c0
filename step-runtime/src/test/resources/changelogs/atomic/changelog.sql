--liquibase formatted sql

--changeset dbops:a0 labels:base
CREATE TABLE a_base (id INT);

--changeset dbops:a1 labels:next
CREATE TABLE a_created (id INT);
INSERT INTO a_created (id) VALUES (1);
