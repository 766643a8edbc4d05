charte::charter!("portals/host_http_prefix_domain.toml");

fn main() {}
