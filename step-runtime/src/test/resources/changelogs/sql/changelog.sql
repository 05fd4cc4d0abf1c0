--liquibase formatted sql

--changeset carol:sql-1
CREATE TABLE sql_table (id INT PRIMARY KEY, label VARCHAR(50));
--rollback DROP TABLE sql_table;

--changeset carol:sql-2
INSERT INTO sql_table (id, label) VALUES (1, 'one');
--rollback DELETE FROM sql_table WHERE id = 1;
