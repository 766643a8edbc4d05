use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use charte::Lang;

charte::charter!(mod portal = "examples/portal.toml");

async fn home(request: HttpRequest) -> HttpResponse {
    let consent = portal::CHARTER.consent_actix(request.headers());
    let here = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let banner = portal::CHARTER.banner(&consent, Lang::Fr).page(here);
    let manage = charte::banner::manage_link(Lang::Fr);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Accueil</title></head>\
         <body>{banner}<nav>{manage}</nav><main><h1>Accueil</h1></main></body></html>"
    ))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(|| {
        App::new()
            .route("/", web::get().to(home))
            .route(
                "/charte-cookies",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(portal::CHARTER.render(charte::Format::Html, Lang::Fr))
                }),
            )
            .service(portal::CHARTER.actix_consent()) // POST /consent
            .wrap(portal::CHARTER.actix()) // the last wrap is the outermost
    })
    .bind(("127.0.0.1", 3000))?
    .run()
    .await
}
