--liquibase formatted sql

--changeset e2e:1-widgets
CREATE TABLE widgets (id INT PRIMARY KEY, name VARCHAR(50));

--changeset e2e:2-gadgets
CREATE TABLE gadgets (id INT PRIMARY KEY);

--changeset e2e:3-broken
CREATE TABLE broken (id INT PRIMARY KEY,, name VARCHAR(10));

--changeset e2e:4-never
CREATE TABLE never_created (id INT PRIMARY KEY);
