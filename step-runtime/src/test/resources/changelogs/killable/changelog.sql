--liquibase formatted sql

--changeset dbops:k1
CREATE TABLE k_before (id INT);

--changeset dbops:k2
CREATE TABLE IF NOT EXISTS k_inside (id INT);
${sleep};
INSERT INTO k_before (id) VALUES (2);
