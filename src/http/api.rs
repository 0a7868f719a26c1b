//! The OpenAPI 3.0 document of the whole service, self-contained (no `$ref` outside it:
//! clients and checkers may have no internet), and a plain HTML rendering of it. Each
//! operation is a function here, named after its operationId; the route table
//! ([`super::endpoints`]) pairs it with its handler, and the document's paths are read off
//! that table, so no route goes undocumented.

use serde_json::{Map, Value, json};

use super::params::Param;
use crate::filter::FilterArgs;
use crate::model::{Category, Precision, Status};

fn param(name: &str, loc: &str, required: bool, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": loc, "required": required, "description": description, "schema": schema})
}

/// Declared query parameters ([`Param`]), as the handlers check them.
fn declared(params: &[Param]) -> Vec<Value> {
    params.iter().map(Param::openapi).collect()
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A response with one content type and schema.
fn content(description: &str, media: &str, schema: Value) -> Value {
    json!({"description": description, "content": {media: {"schema": schema}}})
}

fn error(description: &str) -> Value {
    content(description, "application/json", schema_ref("Exception"))
}

/// Every operation answers errors the same way.
fn with_errors(mut responses: Map<String, Value>, codes: &[&str]) -> Value {
    for c in codes {
        let d = match *c {
            "304" => {
                responses.insert(
                    "304".into(),
                    json!({"description": "Not modified (If-None-Match matched the ETag)"}),
                );
                continue;
            }
            "400" => "A parameter is malformed, out of range or unknown; the description names it",
            "404" => "No such resource",
            "406" => "None of the accepted media types can be served",
            "413" => "The body is too large",
            "503" => {
                "Busy, or the shared database is unreachable; retry after the Retry-After seconds"
            }
            _ => "Error",
        };
        responses.insert((*c).into(), error(d));
    }
    responses.insert("500".into(), error("Internal error"));
    Value::Object(responses)
}

fn ok(description: &str, media: &str, schema: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("200".into(), content(description, media, schema));
    m
}

/// An operation open to everyone.
fn operation(summary: &str, id: &str, params: Vec<Value>, responses: Value) -> Value {
    json!({"summary": summary, "operationId": id, "parameters": params, "responses": responses})
}

/// An operation answering 200 with one media type, and the errors listed.
fn plain(
    summary: &str,
    id: &str,
    params: Vec<Value>,
    (description, media, schema): (&str, &str, Value),
    errors: &[&str],
) -> Value {
    operation(
        summary,
        id,
        params,
        with_errors(ok(description, media, schema), errors),
    )
}

/// An operation for token holders: a write (or a read of the review queue).
fn secured(
    summary: &str,
    id: &str,
    params: Vec<Value>,
    body: Option<(&str, Value)>,
    ok_code: &str,
    ok: Value,
) -> Value {
    const WRITE_CODES: &[&str] = &[
        "400", "401", "403", "404", "409", "412", "413", "415", "422", "503",
    ];
    let mut op = json!({
        "summary": summary,
        "operationId": id,
        "parameters": params,
        "security": [{"bearer": []}],
    });
    if let Some((media, schema)) = body {
        op["requestBody"] = json!({"required": true, "content": {media: {"schema": schema}}});
    }
    let mut m = Map::new();
    m.insert(ok_code.into(), ok);
    op["responses"] = with_errors(m, WRITE_CODES);
    op
}

/// A feature answered by a write.
fn feature_out(description: &str) -> Value {
    json!({"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
           "content": {"application/geo+json": {"schema": schema_ref("Feature")}}})
}

/// The filter parameters tiles and TileJSON take: the items' filters but the box, each a
/// component named as [`FilterArgs::NAMES`] spells it.
fn tile_filters() -> Vec<Value> {
    FilterArgs::NAMES
        .iter()
        .filter(|n| **n != "bbox")
        .map(|n| r(n))
        .collect()
}

/// The filters items and aggregates take, after the collection.
fn collection_and_filters() -> Vec<Value> {
    vec![r("collectionId")]
        .into_iter()
        .chain(FilterArgs::NAMES.iter().map(|n| r(n)))
        .collect()
}

fn binary() -> Value {
    json!({"type": "string", "format": "binary"})
}

// ---- the service's description

pub(super) fn get_landing_page() -> Value {
    operation(
        "Landing page (JSON); browsers asking for HTML get the map",
        "getLandingPage",
        vec![r("f")],
        with_errors(
            {
                let mut m = ok(
                    "Links to the API's resources",
                    "application/json",
                    schema_ref("LandingPage"),
                );
                m.get_mut("200").unwrap()["content"]["text/html"] =
                    json!({"schema": {"type": "string"}});
                m
            },
            &["400"],
        ),
    )
}

pub(super) fn get_conformance() -> Value {
    plain(
        "Conformance classes",
        "getConformance",
        vec![r("f")],
        (
            "The classes implemented",
            "application/json",
            schema_ref("Conformance"),
        ),
        &["400"],
    )
}

pub(super) fn get_api() -> Value {
    plain(
        "This API definition",
        "getApi",
        vec![r("f")],
        (
            "OpenAPI 3.0",
            "application/vnd.oai.openapi+json;version=3.0",
            json!({"type": "object"}),
        ),
        &["400"],
    )
}

pub(super) fn get_api_html() -> Value {
    plain(
        "This API definition as a web page",
        "getApiHtml",
        vec![r("f")],
        ("HTML", "text/html", json!({"type": "string"})),
        &["400"],
    )
}

pub(super) fn get_collections() -> Value {
    plain(
        "The collections",
        "getCollections",
        vec![r("f")],
        (
            "The incidents collection",
            "application/json",
            schema_ref("Collections"),
        ),
        &["400"],
    )
}

pub(super) fn describe_collection() -> Value {
    plain(
        "A collection, with its extent computed from the data",
        "describeCollection",
        vec![r("collectionId"), r("f")],
        (
            "The collection",
            "application/json",
            schema_ref("Collection"),
        ),
        &["400", "404"],
    )
}

pub(super) fn get_queryables() -> Value {
    plain(
        "Properties incidents can be filtered by (JSON Schema)",
        "getQueryables",
        vec![r("collectionId"), r("f")],
        (
            "A JSON Schema",
            "application/schema+json",
            json!({"type": "object"}),
        ),
        &["400", "404"],
    )
}

pub(super) fn get_sortables() -> Value {
    plain(
        "Properties incidents can be sorted by with sortby (JSON Schema)",
        "getSortables",
        vec![r("collectionId"), r("f")],
        (
            "A JSON Schema",
            "application/schema+json",
            json!({"type": "object"}),
        ),
        &["400", "404"],
    )
}

// ---- the area collections: read-only, their own parameters

pub(super) fn describe_areas(area: &str, title: &str) -> Value {
    plain(
        &format!("{title}: the collection"),
        &format!("describe_{area}"),
        vec![r("f")],
        (
            "The collection",
            "application/json",
            schema_ref("Collection"),
        ),
        &["400"],
    )
}

pub(super) fn get_areas(area: &str, title: &str) -> Value {
    operation(
        &format!("{title} with their outlines and names, paged"),
        &format!("get_{area}"),
        declared(super::areas::ITEMS),
        with_errors(
            {
                let mut m = ok(
                    "A page of areas",
                    "application/geo+json",
                    schema_ref("AreaCollection"),
                );
                m.get_mut("200").unwrap()["headers"] =
                    json!({"ETag": {"schema": {"type": "string"}}});
                m
            },
            &["304", "400"],
        ),
    )
}

pub(super) fn get_area(area: &str, title: &str) -> Value {
    plain(
        &format!("One of the {}", title.to_lowercase()),
        &format!("get_{area}_one"),
        vec![param(
            "areaId",
            "path",
            true,
            "The gazetteer id of the area.",
            json!({"type": "string"}),
        )]
        .into_iter()
        .chain(declared(super::areas::ONE))
        .collect(),
        (
            "The area",
            "application/geo+json",
            schema_ref("AreaFeature"),
        ),
        &["400", "404"],
    )
}

// ---- incidents: reads

pub(super) fn get_features() -> Value {
    operation(
        "Incidents, filtered and paged",
        "getFeatures",
        collection_and_filters()
            .into_iter()
            .chain(declared(super::items::ITEMS))
            .collect(),
        with_errors(
            {
                let mut m = ok(
                    "A page of incidents; next/prev links keep every filter",
                    "application/geo+json",
                    schema_ref("FeatureCollection"),
                );
                m.get_mut("200").unwrap()["content"]["text/csv"] =
                    json!({"schema": {"type": "string"}});
                m.get_mut("200").unwrap()["headers"] =
                    json!({"ETag": {"schema": {"type": "string"}}});
                m
            },
            &["304", "400", "401", "404", "406"],
        ),
    )
}

pub(super) fn get_feature() -> Value {
    operation(
        "One incident",
        "getFeature",
        [
            vec![r("collectionId"), r("featureId")],
            declared(super::items::ONE),
        ]
        .concat(),
        with_errors(
            {
                let mut m = ok(
                    "The incident",
                    "application/geo+json",
                    schema_ref("Feature"),
                );
                m.get_mut("200").unwrap()["headers"] = json!({
                    "ETag": {"schema": {"type": "string"}},
                    "Content-Crs": {"description": "The CRS of the geometry, as <URI>", "schema": {"type": "string"}},
                });
                m
            },
            &["304", "400", "404"],
        ),
    )
}

pub(super) fn get_feature_history() -> Value {
    plain(
        "Every change of an incident, with who made it, when, and the incident before and after",
        "getFeatureHistory",
        vec![r("collectionId"), r("featureId")],
        (
            "The history, oldest first",
            "application/json",
            json!({"type": "object", "required": ["id", "changes"]}),
        ),
        &["400", "404", "503"],
    )
}

pub(super) fn get_aggregate() -> Value {
    operation(
        "Counts of the incidents a filter matches, by region, country, category and period; the events add up to the items' numberMatched",
        "getAggregate",
        collection_and_filters()
            .into_iter()
            .chain(declared(super::aggregate::AGGREGATE))
            .collect(),
        with_errors(
            {
                let mut m = ok(
                    "The groups, periods in order, most events first within each",
                    "application/json",
                    json!({
                        "type": "object", "required": ["groupby", "numberMatched", "groups"],
                        "properties": {
                            "groupby": {"type": "array", "items": {"type": "string"}},
                            "numberMatched": {"type": "integer", "minimum": 0},
                            "groups": {"type": "array", "items": {"type": "object", "required": ["events", "fatalities", "injured", "arrested"]}},
                        },
                    }),
                );
                m.get_mut("200").unwrap()["content"]["text/csv"] =
                    json!({"schema": {"type": "string"}});
                m.get_mut("200").unwrap()["headers"] =
                    json!({"ETag": {"schema": {"type": "string"}}});
                m
            },
            &["304", "400", "404", "406"],
        ),
    )
}

// ---- incidents: writes (Part 4), for token holders

pub(super) fn create_feature() -> Value {
    secured(
        "Create an incident (Part 4); without a geometry, properties.place is geocoded",
        "createFeature",
        vec![r("collectionId")],
        Some(("application/geo+json", schema_ref("FeatureInput"))),
        "201",
        json!({"description": "Created; Location names it", "headers": {"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}},
               "content": {"application/geo+json": {"schema": schema_ref("Feature")}}}),
    )
}

pub(super) fn replace_feature() -> Value {
    secured(
        "Replace an incident (Part 4); If-Match makes it conditional",
        "replaceFeature",
        vec![r("collectionId"), r("featureId"), r("ifMatch")],
        Some(("application/geo+json", schema_ref("FeatureInput"))),
        "200",
        feature_out("Replaced"),
    )
}

pub(super) fn update_feature() -> Value {
    secured(
        "Update an incident with a JSON merge patch (RFC 7396); a new place is geocoded",
        "updateFeature",
        vec![r("collectionId"), r("featureId"), r("ifMatch")],
        Some(("application/merge-patch+json", json!({"type": "object"}))),
        "200",
        feature_out("Updated"),
    )
}

pub(super) fn delete_feature() -> Value {
    secured(
        "Delete an incident (its history keeps it, and it can be restored)",
        "deleteFeature",
        vec![r("collectionId"), r("featureId"), r("ifMatch")],
        None,
        "204",
        json!({"description": "Deleted"}),
    )
}

pub(super) fn restore_feature() -> Value {
    secured(
        "Restore an incident as it was after a change (default: its last state before deletion)",
        "restoreFeature",
        [
            vec![r("collectionId"), r("featureId"), r("ifMatch")],
            declared(super::edit::RESTORE),
        ]
        .concat(),
        None,
        "200",
        feature_out("Restored"),
    )
}

/// A bulk import's job, as `/jobs/{jobId}` shows it and a slow import's 202 carries it.
fn job() -> Value {
    json!({"type": "object", "required": ["id", "kind", "status", "phase", "created"],
    "properties": {
        "id": {"type": "string"}, "kind": {"type": "string", "enum": ["import"]},
        "status": {"type": "string", "enum": ["running", "successful", "failed"]},
        "phase": {"type": "string", "enum": ["parsing", "writing", "done"]},
        "rows": {"type": "integer"}, "resolved": {"type": "integer"},
        "created": {"type": "string", "format": "date-time"}, "finished": {"type": "string", "format": "date-time"},
        "result_status": {"type": "integer"}, "result": {"type": "object"},
    }})
}

pub(super) fn import_features() -> Value {
    let import_report = json!({"type": "object", "required": ["unchanged", "rejected", "written", "dry_run"],
    "properties": {
        "added": {"type": "integer", "description": "Written: new incidents"},
        "updated": {"type": "integer", "description": "Written: changed incidents"},
        "would_add": {"type": "integer", "description": "Not written (dry run, or bad rows stopped the file): new incidents it holds"},
        "would_update": {"type": "integer", "description": "Not written: incidents it would change"},
        "unchanged": {"type": "integer"}, "written": {"type": "boolean"}, "dry_run": {"type": "boolean"},
        "rejected": {"type": "array", "description": "The first 1000 bad rows", "items": {"type": "object", "properties": {"row": {"type": "string"}, "reason": {"type": "string"}}}},
        "rejected_total": {"type": "integer", "description": "All bad rows"},
    }});
    let mut op = secured(
        "Bulk import: a GeoJSON FeatureCollection or a CSV (ours or ACLED); all or nothing unless skip_invalid. Runs as a job: the answer is its result if it ends within the request time limit, else 202 with the job's URL",
        "importFeatures",
        [vec![r("collectionId")], declared(super::import::IMPORT), vec![
            json!({"name": "Prefer", "in": "header", "required": false, "description": "`respond-async`: answer 202 at once", "schema": {"type": "string"}}),
        ]].concat(),
        Some(("text/csv", json!({"type": "string"}))),
        "200",
        content(
            "What was imported",
            "application/json",
            import_report.clone(),
        ),
    );
    op["responses"]["202"] = json!({"description": "Still running: poll the job at Location",
        "headers": {"Location": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": job()}}});
    op["responses"]["408"] = error("The upload did not arrive within the request time limit");
    op["responses"]["422"] = content(
        "Bad rows stopped the import; nothing was written",
        "application/json",
        import_report,
    );
    op
}

pub(super) fn get_job() -> Value {
    json!({
        "summary": "A bulk import's progress and, once it ends, its result",
        "operationId": "getJob",
        "parameters": [{"name": "jobId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "security": [{"bearer": []}],
        "responses": with_errors(ok("The job", "application/json", job()), &["401", "403", "404"]),
    })
}

// ---- OGC API - Tiles: the vector tileset, the heat map as a map tileset, the tile matrix
// sets, and the MapLibre style over them (issue #16)

/// A tile's path parameters and the filters it takes.
fn tile_path(what: &str) -> Vec<Value> {
    vec![
        r("collectionId"),
        r("tileMatrixSetId"),
        param(
            "tileMatrix",
            "path",
            true,
            &format!("Zoom level, 0 to 22 ({what})."),
            json!({"type": "integer", "minimum": 0, "maximum": 22}),
        ),
        param(
            "tileRow",
            "path",
            true,
            "Row (y), 0 to 2^tileMatrix - 1 (beyond: 404).",
            json!({"type": "integer", "minimum": 0}),
        ),
        param(
            "tileCol",
            "path",
            true,
            "Column (x), 0 to 2^tileMatrix - 1 (beyond: 404).",
            json!({"type": "integer", "minimum": 0}),
        ),
    ]
    .into_iter()
    .chain(tile_filters())
    .chain(declared(super::tiles::TILE))
    .collect()
}

fn tileset() -> Value {
    json!({"type": "object", "required": ["dataType", "links"]})
}

fn tilesets() -> Value {
    json!({"type": "object", "required": ["tilesets"]})
}

/// The collection and tile matrix set of a tileset's paths, and the filters.
fn tileset_params() -> Vec<Value> {
    [
        vec![r("collectionId"), r("tileMatrixSetId")],
        tile_filters(),
    ]
    .concat()
}

pub(super) fn get_vector_tilesets() -> Value {
    plain(
        "The vector tilesets of the collection",
        "getVectorTilesets",
        [vec![r("collectionId")], tile_filters()].concat(),
        ("OK", "application/json", tilesets()),
        &["400", "404"],
    )
}

pub(super) fn get_vector_tileset() -> Value {
    plain(
        "The vector tileset: its layers, fields and tile URL template",
        "getVectorTileset",
        tileset_params(),
        ("OK", "application/json", tileset()),
        &["400", "404"],
    )
}

pub(super) fn get_vector_tilejson() -> Value {
    plain(
        "TileJSON 3.0.0 of the vector tiles, with vector_layers (tile URLs carry the data version and the filters)",
        "getVectorTileJson",
        tileset_params(),
        ("OK", "application/json", schema_ref("TileJson")),
        &["304", "400", "404"],
    )
}

pub(super) fn get_vector_tile() -> Value {
    plain(
        "A vector tile (MVT): layer incidents (a point per incident alone in its cell) and layer clusters (count, per-category counts, sums, expansion_zoom); gzip when accepted; empty body when empty",
        "getVectorTile",
        tile_path("beyond 16: empty, clients overzoom"),
        ("OK", "application/vnd.mapbox-vector-tile", binary()),
        &["304", "400", "404", "503"],
    )
}

pub(super) fn get_map_tilesets() -> Value {
    plain(
        "The map tilesets of the collection (the heat map)",
        "getMapTilesets",
        [vec![r("collectionId")], tile_filters()].concat(),
        ("OK", "application/json", tilesets()),
        &["400", "404"],
    )
}

pub(super) fn get_map_tileset() -> Value {
    plain(
        "The heat map tileset",
        "getMapTileset",
        tileset_params(),
        ("OK", "application/json", tileset()),
        &["400", "404"],
    )
}

pub(super) fn get_map_tile() -> Value {
    plain(
        "A heat-map tile (PNG) of the first style",
        "getMapTile",
        tile_path("as the heat style allows"),
        ("OK", "image/png", binary()),
        &["304", "400", "404", "503"],
    )
}

pub(super) fn get_tile_matrix_sets() -> Value {
    plain(
        "The tile matrix sets (WebMercatorQuad)",
        "getTileMatrixSets",
        vec![r("f")],
        (
            "OK",
            "application/json",
            json!({"type": "object", "required": ["tileMatrixSets"]}),
        ),
        &["400"],
    )
}

pub(super) fn get_tile_matrix_set() -> Value {
    plain(
        "A tile matrix set (OGC 2D Tile Matrix Set 2.0 JSON)",
        "getTileMatrixSet",
        vec![r("tileMatrixSetId"), r("f")],
        (
            "OK",
            "application/json",
            json!({"type": "object", "required": ["id", "crs", "tileMatrices"]}),
        ),
        &["400", "404"],
    )
}

pub(super) fn get_style() -> Value {
    plain(
        "A MapLibre style: the heat map under the clusters and incidents (filters are carried into its sources)",
        "getStyle",
        tile_filters(),
        (
            "OK",
            "application/json",
            json!({"type": "object", "required": ["version", "sources", "layers"]}),
        ),
        &["304", "400"],
    )
}

// ---- heat-map tiles for XYZ clients

pub(super) fn get_styles() -> Value {
    plain(
        "The heat-map styles",
        "getStyles",
        vec![],
        (
            "Styles with their TileJSON and legend links",
            "application/json",
            json!({"type": "object", "required": ["styles"]}),
        ),
        &[],
    )
}

pub(super) fn get_tilejson() -> Value {
    plain(
        "TileJSON 3.0.0 of a heat style (tile URLs carry the data version)",
        "getTileJson",
        [vec![r("style")], tile_filters()].concat(),
        ("TileJSON", "application/json", schema_ref("TileJson")),
        &["304", "400", "404"],
    )
}

pub(super) fn get_legend() -> Value {
    plain(
        "What each colour of a style stands for at a zoom",
        "getLegend",
        [vec![r("style")], declared(super::tiles::LEGEND)].concat(),
        (
            "Legend",
            "application/json",
            json!({"type": "object", "required": ["stops", "max"]}),
        ),
        &["400", "404"],
    )
}

pub(super) fn get_legend_image() -> Value {
    plain(
        "A style's colour ramp as an image",
        "getLegendImage",
        vec![r("style")],
        ("PNG", "image/png", binary()),
        &["400", "404"],
    )
}

pub(super) fn get_tile() -> Value {
    plain(
        "A heat-map tile (XYZ): y is the row followed by .png, or @2x.png for 512 px",
        "getTile",
        vec![
            r("style"),
            param(
                "z",
                "path",
                true,
                "Zoom level, 0 to 22.",
                json!({"type": "integer", "minimum": 0, "maximum": 22}),
            ),
            param(
                "x",
                "path",
                true,
                "Column, 0 to 2^z - 1 (beyond: 404).",
                json!({"type": "integer", "minimum": 0}),
            ),
            param(
                "y",
                "path",
                true,
                "Row, 0 to 2^z - 1 (beyond: 404), then .png or @2x.png.",
                json!({"type": "string", "pattern": "^[0-9]+(@2x)?\\.png$"}),
            ),
        ]
        .into_iter()
        .chain(tile_filters())
        .chain(declared(super::tiles::TILE))
        .collect(),
        (
            "The tile; transparent where nothing happened",
            "image/png",
            binary(),
        ),
        &["304", "400", "404", "503"],
    )
}

// ---- the offline base map

pub(super) fn basemap_tile() -> Value {
    let tile_index = |name: &str, what: &str| {
        param(
            name,
            "path",
            true,
            what,
            json!({"type": "string", "pattern": "^[0-9]+$"}),
        )
    };
    plain(
        "A vector tile (MVT) of the offline base map: land, borders, regions, place names",
        "basemapTile",
        vec![
            param(
                "z",
                "path",
                true,
                "Zoom, 0 to 22 (beyond 12 the tiles hold what zoom 12's do; clients usually overzoom instead).",
                json!({"type": "integer", "minimum": 0, "maximum": crate::tiles::mercator::MAX_ZOOM}),
            ),
            tile_index("x", "Column, 0 to 2^z - 1."),
            param(
                "y",
                "path",
                true,
                "Row, 0 to 2^z - 1, optionally followed by .mvt or .pbf.",
                json!({"type": "string", "pattern": "^[0-9]+(\\.mvt|\\.pbf)?$"}),
            ),
        ],
        (
            "The tile (layers countries, regions, borders, places; see /basemap/tilejson.json); an empty body where there is nothing",
            crate::tiles::mvt::MEDIA_TYPE,
            binary(),
        ),
        &["304", "400", "404", "503"],
    )
}

pub(super) fn basemap_tilejson() -> Value {
    plain(
        "TileJSON 3.0.0 of the base map's vector tiles, with their layers and fields",
        "basemapTileJson",
        vec![],
        (
            "TileJSON",
            "application/json",
            json!({"type": "object", "required": ["tilejson", "tiles", "vector_layers"]}),
        ),
        &["304", "400"],
    )
}

pub(super) fn basemap_style() -> Value {
    plain(
        "A MapLibre style drawing the base map (sea, land, borders, a dot per named place; names need glyphs)",
        "basemapStyle",
        vec![],
        (
            "MapLibre style",
            "application/json",
            json!({"type": "object", "required": ["version", "sources", "layers"]}),
        ),
        &["304", "400"],
    )
}

pub(super) fn basemap_labels() -> Value {
    plain(
        "The offline base map's place names for a zoom and a view",
        "basemapLabels",
        declared(super::basemap::LABELS),
        (
            "Countries and towns as points with `name`, `lang` (null for the main name), `kind` (country or town), `population`, `minzoom` and `anchor` (the side of the dot the name stands on: right, left, above, below; center for a country)",
            "application/geo+json",
            json!({"type": "object", "required": ["type", "features"]}),
        ),
        &["304", "400"],
    )
}

// ---- places in text

pub(super) fn geocode() -> Value {
    plain(
        "Look a place name up, in any language or script",
        "geocode",
        declared(super::geocode::GEOCODE),
        (
            "Candidates, best first",
            "application/json",
            schema_ref("GeocodeAnswer"),
        ),
        &["400"],
    )
}

pub(super) fn geoparse() -> Value {
    json!({
        "summary": "Find the places a text mentions (offsets in code points)",
        "operationId": "geoparse",
        "parameters": declared(super::geocode::GEOPARSE),
        "requestBody": {"required": true, "content": {"text/plain": {"schema": {"type": "string", "minLength": 1}}}},
        "responses": with_errors(ok("Mentions", "application/json", schema_ref("Mentions")), &["400", "413", "503"]),
    })
}

pub(super) fn submit_report() -> Value {
    json!({
        "summary": "Draft incidents from a news report into the review queue",
        "description": "The report is stored; each event it tells of (place × day × kind) becomes a draft incident (status draft) with the evidence of every field as code-point offsets into the text, or, when it matches a published incident (same place, date ±1 day, category), a proposal to corroborate it. As text/plain, the metadata goes in query parameters of the same names as the JSON fields.",
        "operationId": "submitReport",
        "security": [{"bearer": []}],
        "parameters": declared(super::reports::METADATA),
        "requestBody": {"required": true, "content": {
            "application/json": {"schema": schema_ref("ReportInput")},
            "text/plain": {"schema": {"type": "string", "minLength": 1}},
        }},
        "responses": with_errors(
            {
                let mut m = ok("Stored; Location names it", "application/json", schema_ref("Report"));
                let r = m.remove("200").expect("ok() answers 200");
                m.insert("201".into(), r);
                m
            },
            &["400", "401", "403", "413", "415", "503"],
        ),
    })
}

pub(super) fn get_report() -> Value {
    json!({
        "summary": "A stored report: its text, what was drafted from it, and each draft as it stands now",
        "operationId": "getReport",
        "security": [{"bearer": []}],
        "parameters": [param("reportId", "path", true, "The report's id (rep-…).", json!({"type": "string"}))],
        "responses": with_errors(ok("The report", "application/json", schema_ref("Report")), &["400", "401", "403", "404"]),
    })
}

// ---- operations

pub(super) fn health() -> Value {
    plain(
        "Readiness",
        "health",
        vec![],
        (
            "Ready",
            "application/json",
            json!({"type": "object", "required": ["status"]}),
        ),
        &[],
    )
}

pub(super) fn ping() -> Value {
    plain(
        "Liveness: a fixed answer",
        "ping",
        vec![],
        ("pong", "text/plain", json!({"type": "string"})),
        &[],
    )
}

/// The OpenAPI document of `paths` (the route table's, [`super::routes::paths`]); `base`
/// becomes the server URL, `styles` the heat styles a `{style}` may name.
pub fn document(base: &str, styles: Vec<&str>, paths: Map<String, Value>) -> Value {
    // The incidents are the one collection the `{collectionId}` paths serve: written with its
    // name, so a client (or a fuzzer following links) never takes an area collection's URL
    // for one of them. The parameter stays declared for the routes' own checks.
    let collection_ref = r("collectionId");
    let paths: Map<String, Value> = paths
        .into_iter()
        .map(|(path, mut ops)| {
            if !path.contains("{collectionId}") {
                return (path, ops);
            }
            for op in ops.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
                if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                    params.retain(|p| *p != collection_ref);
                }
            }
            (path.replace("{collectionId}", super::ogc::COLLECTION), ops)
        })
        .collect();
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "incidentmap",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Incidents geocoded from reports in any language: OGC API – Features (GeoJSON, CSV), OGC API – Tiles (vector tiles with clusters, heat-map tiles), geocoding and geoparsing. Errors are JSON {code, description}.",
            "license": {"name": "MIT OR Apache-2.0"},
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "parameters": {
                "collectionId": param("collectionId", "path", true, "The collection: incidents.", json!({"type": "string", "enum": ["incidents"]})),
                "tileMatrixSetId": param("tileMatrixSetId", "path", true, "The tile matrix set: WebMercatorQuad.", json!({"type": "string", "enum": ["WebMercatorQuad"]})),
                "featureId": param("featureId", "path", true, "An incident id.", json!({"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"})),
                "style": param("style", "path", true, "A heat style.", json!({"type": "string", "enum": styles})),
                "f": super::ogc::F_JSON.openapi(),
                "ifMatch": param("If-Match", "header", false, "The incident's current ETag (or *): the write happens only if it still matches.", json!({"type": "string"})),
            },
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A write token (INCIDENTMAP_WRITE_TOKEN or a tokens file); reads need none."}},
        },
    });
    // The filters, from their one definition (FilterArgs: name, help, type).
    for (name, p) in FilterArgs::openapi_parameters() {
        doc["components"]["parameters"][name] = p;
    }
    doc
}

fn schemas() -> Value {
    let link = json!({
        "type": "object", "required": ["href", "rel"],
        "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}},
    });
    json!({
        "Exception": {
            "type": "object", "required": ["code", "description"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },
        "Link": link,
        "LandingPage": {
            "type": "object", "required": ["links"],
            "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": {"type": "array", "items": link}},
        },
        "Conformance": {
            "type": "object", "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "Collection": {
            "type": "object", "required": ["id", "links", "itemType"],
            "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                "itemType": {"type": "string"}, "links": {"type": "array", "items": link},
                "extent": {"type": "object"},
            },
        },
        "Collections": {
            "type": "object", "required": ["links", "collections"],
            "properties": {"links": {"type": "array", "items": link}, "collections": {"type": "array", "items": {"type": "object"}}},
        },
        "Feature": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": {
                    "type": "object", "required": ["type", "coordinates"],
                    "properties": {"type": {"type": "string", "enum": ["Point"]}, "coordinates": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}},
                },
                "properties": {
                    "type": "object", "required": ["id", "occurred_at", "category", "precision"],
                    "properties": {
                        "id": {"type": "string"},
                        "occurred_at": {"type": "string"},
                        "category": {"type": "string", "enum": Category::ALL.map(Category::as_str)},
                        "fatalities": {"type": "integer", "minimum": 0},
                        "injured": {"type": "integer", "minimum": 0},
                        "arrested": {"type": "integer", "minimum": 0},
                        "place": {"type": "string"},
                        "place_id": {"type": "integer"},
                        "precision": {"type": "string", "enum": Precision::ALL.map(Precision::as_str)},
                        "source": {"type": "string"},
                        "notes": {"type": "string"},
                        "status": {"type": "string", "enum": Status::ALL.map(Status::as_str), "description": "where the incident stands in review; left out when published"},
                        "report_id": {"type": "string", "description": "the report it was drafted from (/reports/{reportId})"},
                        "admin1": {"type": "string", "readOnly": true, "description": "the first-level region the incident is counted in, derived from the gazetteer"},
                        "admin1_code": {"type": "string", "readOnly": true, "description": "that region's GeoNames admin1 code"},
                    },
                },
                "links": {"type": "array", "items": link},
            },
        },
        "AreaFeature": {
            "type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": {
                    "type": "object", "required": ["type", "coordinates"],
                    "properties": {"type": {"type": "string", "enum": ["MultiPolygon"]}, "coordinates": {"type": "array"}},
                },
                "properties": {
                    "type": "object", "required": ["name", "kind", "country", "names"],
                    "properties": {
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["country", "region"]},
                        "country": {"type": "string"},
                        "admin1": {"type": "string", "nullable": true},
                        "names": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
            },
        },
        "AreaCollection": {
            "type": "object", "required": ["type", "features", "numberMatched", "numberReturned"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "links": {"type": "array", "items": link},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/AreaFeature"}},
            },
        },
        "FeatureCollection": {
            "type": "object", "required": ["type", "features", "numberReturned"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "timeStamp": {"type": "string"},
                "links": {"type": "array", "items": link},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
            },
        },
        "FeatureInput": {
            "type": "object", "required": ["type", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
                "geometry": {"nullable": true, "type": "object", "required": ["type", "coordinates"],
                    "properties": {"type": {"type": "string", "enum": ["Point"]}, "coordinates": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}}},
                "properties": {"type": "object", "additionalProperties": false, "properties": {
                    "id": {"type": "string"},
                    "occurred_at": {"type": "string", "description": "RFC 3339 date or date-time"},
                    "category": {"type": "string", "enum": Category::ALL.map(Category::as_str)},
                    "fatalities": {"type": "integer", "minimum": 0, "maximum": 4294967295u64},
                    "injured": {"type": "integer", "minimum": 0, "maximum": 4294967295u64},
                    "arrested": {"type": "integer", "minimum": 0, "maximum": 4294967295u64},
                    "place": {"type": "string", "description": "The place as reported; geocoded when there is no geometry"},
                    "place_id": {"type": "integer", "minimum": 1},
                    "precision": {"type": "string", "enum": Precision::ALL.map(Precision::as_str)},
                    "source": {"type": "string"},
                    "notes": {"type": "string"},
                    "status": {"type": "string", "enum": Status::ALL.map(Status::as_str), "description": "published (the default), draft or rejected: publishing a draft is a PATCH of this"},
                    "report_id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$"},
                }},
            },
        },
        "ReportInput": {
            "type": "object", "required": ["text"], "additionalProperties": false,
            // The metadata fields are the text/plain form's query parameters.
            "properties": super::reports::METADATA.iter().fold(
                json!({"text": {"type": "string", "minLength": 1, "description": "The report, in Arabic, Russian, Kazakh or English"}}),
                |mut props, p| {
                    let mut schema = p.schema();
                    schema["description"] = p.help.into();
                    props[p.name] = schema;
                    props
                },
            ),
        },
        "Report": {
            "type": "object", "required": ["id", "text", "language", "drafts", "incidents"],
            "properties": {
                "id": {"type": "string"},
                "received_at": {"type": "string"},
                "source": {"type": "string", "nullable": true},
                "url": {"type": "string", "nullable": true},
                "published_at": {"type": "string", "nullable": true},
                "language": {"type": "string"},
                "text": {"type": "string"},
                "drafts": {"type": "array", "items": {"type": "object", "required": ["place", "occurred_at", "category", "place_evidence", "category_evidence"], "properties": {
                    "incident_id": {"type": "string", "description": "The draft incident the event became"},
                    "corroborates": {"type": "string", "description": "The published incident the event most likely is already"},
                }}},
                "incidents": {"type": "array", "items": {"type": "object", "required": ["id", "etag", "feature"], "properties": {
                    "id": {"type": "string"}, "etag": {"type": "string"}, "feature": schema_ref("Feature"),
                }}},
                "links": {"type": "array", "items": link},
            },
        },
        "TileJson": {
            "type": "object", "required": ["tilejson", "tiles"],
            "properties": {"tilejson": {"type": "string"}, "tiles": {"type": "array", "items": {"type": "string"}}},
        },
        "GeocodeResult": {
            "type": "object",
            "required": ["id", "name", "kind", "country", "lon", "lat", "confidence", "match", "precision"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "kind": {"type": "string", "enum": ["country", "region", "district", "city", "water"]},
                "country": {"type": "string"}, "admin1": {"type": "string"}, "admin1_code": {"type": "string"},
                "lon": {"type": "number"}, "lat": {"type": "number"},
                "bbox": {"type": "array", "items": {"type": "number"}},
                "population": {"type": "integer"},
                "match": {"type": "string", "enum": ["exact", "alias", "transliteration", "fuzzy"]},
                "matched_name": {"type": "string"},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "precision": {"type": "string", "enum": Precision::ALL.map(Precision::as_str)},
            },
        },
        "GeocodeAnswer": {
            "type": "object", "required": ["query", "results"],
            "properties": {"query": {"type": "string"}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/GeocodeResult"}}},
        },
        "Mentions": {
            "type": "object", "required": ["mentions", "demonyms", "truncated", "limit", "found", "min_confidence"],
            "properties": {
              "truncated": {"type": "boolean", "description": "Mentions past `limit` were left out"},
              "limit": {"type": "integer"}, "found": {"type": "integer"},
              "min_confidence": {"type": "number", "description": "The threshold applied"},
              "demonyms": {"type": "array", "description": "Demonyms and nationality adjectives (not places)", "items": {
                "type": "object", "required": ["text", "start", "end", "country"],
                "properties": {
                    "text": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
                    "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
                },
              }},
              "mentions": {"type": "array", "items": {
                "type": "object", "required": ["text", "start", "end", "place"],
                "properties": {
                    "text": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
                    "place": {"$ref": "#/components/schemas/GeocodeResult"},
                },
            }}},
        },
    })
}

/// A plain page listing every operation and its parameters.
pub fn html(doc: &Value) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>incidentmap API</title>\
         <style>body{font:15px/1.5 sans-serif;max-width:60em;margin:2em auto;padding:0 1em}code{background:#eee;padding:0 .2em}\
         h2{font-size:1.1em;margin-top:1.8em}td{padding:.1em .6em;vertical-align:top}</style></head><body>\
         <h1>incidentmap API</h1><p>The machine-readable definition is at <a href=\"api\">api</a> (OpenAPI 3.0).</p>",
    );
    let resolve = |p: &Value| -> Value {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => doc["components"]["parameters"][r.rsplit('/').next().unwrap_or("")].clone(),
            None => p.clone(),
        }
    };
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                out.push_str(&format!(
                    "<h2><code>{} {}</code></h2><p>{}</p>",
                    method.to_uppercase(),
                    esc(path),
                    esc(op["summary"].as_str().unwrap_or(""))
                ));
                let params: Vec<Value> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(resolve)
                    .collect();
                if !params.is_empty() {
                    out.push_str("<table>");
                    for p in params {
                        out.push_str(&format!(
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                            esc(p["name"].as_str().unwrap_or("")),
                            esc(p["in"].as_str().unwrap_or("")),
                            esc(p["description"].as_str().unwrap_or(""))
                        ));
                    }
                    out.push_str("</table>");
                }
            }
        }
    }
    out.push_str("</body></html>");
    out
}
