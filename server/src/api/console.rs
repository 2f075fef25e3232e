//! The management console's files: `/console/…` serves the built single-page app (any path
//! that is not a file gets `index.html`, so the app's own routes survive a reload), with a
//! content security policy that allows only this origin's scripts and WebAssembly.
//!
//! The files come from a directory (`--console-dir`, by default the repository's
//! `console/dist` when it exists), so the console can be rebuilt without rebuilding the
//! server. Without one, `/console/` says how to build it.

use std::path::PathBuf;

use axum::Router;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

/// Scripts, styles, images and connections from this origin only; WebAssembly compiled
/// from this origin's bytes (`'wasm-unsafe-eval'`); never framed.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
                   style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// The directory the console is served from when none is given: the repository's build
/// output, if it has been built.
pub fn default_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../console/dist");
    dir.join("index.html").is_file().then_some(dir)
}

async fn secure(uri: Uri, mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Vite names built assets by their content: they never change. Everything else (the
    // page itself) is revalidated, so a rebuilt console is picked up at once.
    let cache = if uri.path().starts_with("/console/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if uri.path().ends_with(".wasm") {
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/wasm"));
    }
    response
}

async fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><title>rolegate console</title><h1>The console is not built</h1>\
             <p>Build it with <code>npm --prefix console ci &amp;&amp; npm --prefix console run \
             build</code> (or start the server with <code>bash scripts/demo.sh</code>, which \
             does), or point <code>--console-dir</code> at a built console.</p>",
        ),
    )
        .into_response()
}

/// The console's routes, served from `dir`.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: Option<PathBuf>) -> Router<S> {
    let router = Router::new().route("/", get(|| async { Redirect::temporary("/console/") }));
    let router = match dir {
        Some(dir) => {
            let index = dir.join("index.html");
            router.nest_service(
                "/console",
                ServeDir::new(dir)
                    .append_index_html_on_directories(true)
                    .fallback(ServeFile::new(index)),
            )
        }
        None => router
            .route("/console", get(not_built))
            .route("/console/", get(not_built))
            .route("/console/{*path}", get(not_built)),
    };
    router.layer(axum::middleware::map_response(secure))
}
