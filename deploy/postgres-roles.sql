-- The two roles of a deployment (README, "Deployment"), run once by PostgreSQL's superuser
-- when the docker-compose database is first created (docker-entrypoint-initdb.d).
-- redress_owner owns the database and its tables and runs the migrations;
-- redress_app is what web, worker and beat connect as: row-level security applies to it.
CREATE ROLE redress_owner LOGIN PASSWORD 'redress-owner';
CREATE ROLE redress_app LOGIN PASSWORD 'redress-app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
ALTER DATABASE redress OWNER TO redress_owner;
