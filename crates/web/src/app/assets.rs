//! The app's CSS and vendored JavaScript, compiled into the binary: the server runs with
//! no files beside it and no CDN. Vendored files carry their version in the name, so they
//! are cached for a year; the stylesheet is revalidated.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const APP_CSS: &str = include_str!("../../assets/app.css");
const HTMX: &str = include_str!("../../assets/vendor/htmx-2.0.11.min.js");
const LIVE_JS: &str = include_str!("../../assets/live.js");

pub async fn serve(Path(path): Path<String>) -> Response {
    let (body, content_type, cache) = match path.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8", "no-cache"),
        "live.js" => (LIVE_JS, "text/javascript; charset=utf-8", "no-cache"),
        "vendor/htmx-2.0.11.min.js" => {
            (HTMX, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable")
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
