charte::charter!("portals/site_not_url.toml");

fn main() {}
