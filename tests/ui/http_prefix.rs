charte::charter!("portals/http_prefix.toml");

fn main() {}
