use axum::http::{HeaderMap, Uri};
use axum::response::Html;
use axum::routing::get;
use charte::Lang;

charte::charter!(mod portal = "examples/portal.toml");

async fn home(headers: HeaderMap, uri: Uri) -> Html<String> {
    let consent = portal::CHARTER.consent(&headers);
    let here = uri.path_and_query().map_or("/", |p| p.as_str());
    let banner = portal::CHARTER.banner(&consent, Lang::Fr).page(here);
    let manage = charte::banner::manage_link(Lang::Fr);
    Html(format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Accueil</title></head>\
         <body>{banner}<nav>{manage}</nav><main><h1>Accueil</h1></main></body></html>"
    ))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = axum::Router::new()
        .route("/", get(home))
        .route(
            "/charte-cookies",
            get(|| async { Html(portal::CHARTER.render(charte::Format::Html, Lang::Fr)) }),
        )
        .merge(portal::CHARTER.consent_routes()) // POST /consent
        .layer(portal::CHARTER.layer()); // outermost
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await
}
