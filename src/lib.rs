//! incidentmap: incident reports geocoded from any language, kept durably, indexed in an
//! R-tree and served over HTTP as GeoJSON, heat-map tiles and vector tiles.
//!
//! A map of the modules, from the data up:
//!
//! - [`model`]: the incident, its fields and their checks; [`bbox`] and [`filter`]: the boxes
//!   and filters every query shares; [`bands`]: polygon edges in bands, for point-in-polygon
//!   tests and scanlines.
//! - [`gazetteer`]: the offline gazetteer and geocoder (normalization, index, ranking), and
//!   the outlines of its countries and regions (which area a point is in).
//! - [`draft`]: an incident as submitted, resolved into a stored one by geocoding;
//!   [`report`]: draft incidents extracted from a news report, each field with its evidence,
//!   and what they become in the review queue (new drafts, or corroboration of a known one).
//! - [`format`]: GeoJSON and CSV in and out; [`import`]: reading files for import; [`export`]:
//!   writing them out;
//!   [`demo`]: the built-in demo dataset; [`synth`]: synthetic data for load tests.
//! - [`store`]: durable storage behind a trait: a GeoPackage file (the default), or a
//!   PostgreSQL/PostGIS database shared by several instances, with its change feed and TLS.
//! - [`spatial`]: the in-memory R-tree index, published as immutable snapshots.
//! - [`tiles`]: heat-map tiles (Web Mercator math, kernel density, styles, PNG) and vector
//!   tiles (server-side clusters, MVT; the offline base map); [`aggregate`]: counts by region,
//!   country, category and period.
//! - [`app`]: the core that ties store, index, gazetteer and styles together; the one write
//!   path (each incident to the public index or the review queue, by its status), and
//!   following other instances' writes to a shared store.
//! - [`http`]: the HTTP API (one file per resource family; one route table that both the
//!   router and the OpenAPI document are built from, and the layers; bounded CPU work, import
//!   jobs); [`server`]: accepting connections within limits (timeouts, head
//!   size, connection cap), JSON for hyper's own errors, and shutdown.
//! - [`cli`] and [`config`]: raw arguments and the checked configuration built from them;
//!   [`docs`]: the README's tables of options and filters, generated from those declarations.

pub mod aggregate;
pub mod app;
pub mod auth;
pub mod bands;
pub mod bbox;
pub mod cli;
pub mod config;
pub mod demo;
pub mod docs;
pub mod draft;
pub mod etag;
pub mod export;
pub mod filter;
pub mod format;
pub mod gazetteer;
pub mod http;
pub mod import;
pub mod model;
pub mod report;
pub mod server;
pub mod spatial;
pub mod store;
pub mod synth;
pub mod tiles;
