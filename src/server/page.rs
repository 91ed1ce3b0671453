//! The storefront page at `/`: plain HTML, CSS and JavaScript compiled into the
//! binary (no build step). A product grid from `/v1/products` with add-to-cart
//! buttons, and a chat widget on `/v1/chat` with product cards, quick replies and
//! a typing indicator, in the browser's language by default.

use axum::http::header;
use axum::response::{Html, IntoResponse};

pub async fn index() -> Html<&'static str> {
    Html(include_str!("page/index.html"))
}

pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("page/app.js"),
    )
}

pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("page/style.css"),
    )
}
