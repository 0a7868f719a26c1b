//! Integration tests: the real server on an ephemeral port, spoken to over HTTP, and the real
//! binary run as a user would. One test binary, so the suite links once.

mod aggregate;
mod areas;
mod cli;
mod common;
mod cql;
mod crash;
mod edit;
mod geocode;
mod geocode_eval;
mod geoparse_eval;
mod hardening;
mod hardening_data;
mod items;
mod ogc;
mod page_headers;
mod pages;
mod pg_tls;
mod postgres;
mod report_eval;
mod review;
mod scaleout;
mod store;
mod tiles;
mod vector;
