//! The route table's building block: an endpoint holds, for each method it answers, the
//! handler and the OpenAPI operation `/api` shows for it. The router and the document are
//! both built from one list of endpoints, so a route cannot be served undocumented, nor
//! documented unserved.

use axum::Router;
use axum::handler::Handler;
use axum::routing::MethodRouter;
use serde_json::{Map, Value};

use super::AppState;

/// One path of the service.
pub struct Endpoint {
    /// The path as the router matches it. Its captures are named as `/api` names the path
    /// parameters (`{collectionId}`, `{featureId}`), so the document's path is this one.
    path: String,
    methods: MethodRouter<AppState>,
    /// The OpenAPI operation of each method (`get`, `post`, ...).
    ops: Map<String, Value>,
    /// Why `/api` leaves the endpoint out: the map page's own files and the operators'
    /// metrics are not part of the API clients program against.
    unlisted: Option<&'static str>,
}

macro_rules! method {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub fn $name<H, T>(mut self, handler: H, op: Value) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            // Documented first: the assertion names the path, where axum's own would not.
            self = self.document(stringify!($name), op);
            self.methods = self.methods.$name(handler);
            self
        }
    };
}

impl Endpoint {
    /// An endpoint at `path` that answers nothing yet (405 to every method).
    pub fn at(path: impl Into<String>) -> Self {
        Endpoint {
            path: path.into(),
            methods: MethodRouter::new(),
            ops: Map::new(),
            unlisted: None,
        }
    }

    /// A GET endpoint `/api` leaves out, with the reason.
    pub fn unlisted<H, T>(path: impl Into<String>, handler: H, why: &'static str) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut e = Endpoint::at(path);
        e.methods = e.methods.get(handler);
        e.unlisted = Some(why);
        e
    }

    method!(
        /// Answer GET (and HEAD) with `handler`, documented as `op`.
        get
    );
    method!(
        /// Answer POST with `handler`, documented as `op`.
        post
    );
    method!(
        /// Answer PUT with `handler`, documented as `op`.
        put
    );
    method!(
        /// Answer PATCH with `handler`, documented as `op`.
        patch
    );
    method!(
        /// Answer DELETE with `handler`, documented as `op`.
        delete
    );

    /// Wrap the methods declared so far in layers (body limits, the write-token check).
    pub fn layer(
        mut self,
        wrap: impl FnOnce(MethodRouter<AppState>) -> MethodRouter<AppState>,
    ) -> Self {
        self.methods = wrap(self.methods);
        self
    }

    fn document(mut self, method: &str, op: Value) -> Self {
        let before = self.ops.insert(method.into(), op);
        assert!(before.is_none(), "{} {method} declared twice", self.path);
        self
    }
}

/// The router serving every endpoint.
pub fn router(endpoints: Vec<Endpoint>) -> Router<AppState> {
    endpoints
        .into_iter()
        .fold(Router::new(), |r, e| r.route(&e.path, e.methods))
}

/// The OpenAPI `paths` of the listed endpoints: each path with its operations by method.
pub fn paths(endpoints: &[Endpoint]) -> Map<String, Value> {
    endpoints
        .iter()
        .filter(|e| e.unlisted.is_none())
        .map(|e| (e.path.clone(), Value::Object(e.ops.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn nothing() {}

    #[test]
    fn an_endpoint_documents_exactly_the_methods_it_answers() {
        let e = Endpoint::at("/a/{aId}")
            .get(nothing, json!({"operationId": "getA"}))
            .delete(nothing, json!({"operationId": "deleteA"}));
        let p = paths(&[e, Endpoint::unlisted("/b", nothing, "internal")]);
        assert_eq!(p.len(), 1, "the unlisted endpoint is left out");
        let ops = p["/a/{aId}"].as_object().unwrap();
        let mut methods: Vec<_> = ops.keys().collect();
        methods.sort();
        assert_eq!(methods, ["delete", "get"]);
        assert_eq!(ops["get"]["operationId"], "getA");
    }

    #[test]
    #[should_panic(expected = "declared twice")]
    fn a_method_cannot_be_declared_twice() {
        let _ = Endpoint::at("/a")
            .get(nothing, json!({}))
            .get(nothing, json!({}));
    }
}
