--liquibase formatted sql

--changeset dbops:h1
CREATE TABLE h_one (id INT);
CREATE TABLE h_two (id INT);
INSERT INTO h_missing (id) VALUES (1);
