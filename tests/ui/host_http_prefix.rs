charte::charter!("portals/host_http_prefix.toml");

fn main() {}
